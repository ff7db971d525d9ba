package worker

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestReadyzReportsEachDependency(t *testing.T) {
	var kafkaDown atomic.Bool
	var pings atomic.Int64
	now := time.Unix(1000, 0)
	ready := NewReadiness(
		Check{Name: "mongodb", Ping: func(context.Context) error { pings.Add(1); return nil }},
		Check{Name: "kafka", Ping: func(context.Context) error {
			if kafkaDown.Load() {
				return errors.New("Kafka at 127.0.0.1:9092 is unreachable: connection refused")
			}
			return nil
		}},
	)
	ready.Now = func() time.Time { return now }
	srv := httptest.NewServer(NewServer("", ready, NewMetrics().Registry(), nil).Handler())
	defer srv.Close()

	rep, code := readyz(t, srv.URL)
	if code != http.StatusOK || !rep.Ready || rep.Status != "ready" || !rep.Checks["mongodb"].OK || !rep.Checks["kafka"].OK {
		t.Fatalf("all up: %d %+v", code, rep)
	}

	kafkaDown.Store(true)
	if _, code := readyz(t, srv.URL); code != http.StatusOK {
		t.Fatal("a result younger than MaxAge was not reused")
	}
	if pings.Load() != 1 {
		t.Fatalf("pinged %d times within MaxAge, want 1", pings.Load())
	}

	now = now.Add(time.Second)
	rep, code = readyz(t, srv.URL)
	if code != http.StatusServiceUnavailable || rep.Ready || rep.Status != "not ready" {
		t.Fatalf("kafka down: %d %+v", code, rep)
	}
	if rep.Checks["kafka"].OK || rep.Checks["kafka"].Error == "" || !rep.Checks["mongodb"].OK {
		t.Fatalf("the body must say kafka is the one down: %+v", rep.Checks)
	}

	ready.SetStopping()
	kafkaDown.Store(false)
	now = now.Add(time.Second)
	rep, code = readyz(t, srv.URL)
	if code != http.StatusServiceUnavailable || rep.Status != "shutting down" {
		t.Fatalf("stopping: %d %+v", code, rep)
	}
}

func TestReadyzTimesOutAHangingPing(t *testing.T) {
	ready := NewReadiness(Check{Name: "mongodb", Ping: func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}})
	ready.Timeout = 50 * time.Millisecond
	srv := httptest.NewServer(NewServer("", ready, NewMetrics().Registry(), nil).Handler())
	defer srv.Close()
	start := time.Now()
	rep, code := readyz(t, srv.URL)
	if code != http.StatusServiceUnavailable || rep.Checks["mongodb"].OK {
		t.Fatalf("hanging ping: %d %+v", code, rep)
	}
	if took := time.Since(start); took > 10*time.Second { // far above the timeout, far below "ignored it"
		t.Fatalf("probe took %s with a 50ms ping timeout", took)
	}
}

func TestHealthzIsAlwaysOK(t *testing.T) {
	ready := NewReadiness(Check{Name: "mongodb", Ping: func(context.Context) error { return errors.New("down") }})
	srv := httptest.NewServer(NewServer("", ready, NewMetrics().Registry(), nil).Handler())
	defer srv.Close()
	if code, body := get(t, srv.URL+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Fatalf("/healthz = %d %q", code, body)
	}
}

func readyz(t *testing.T, base string) (ReadyReport, int) {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q", ct)
	}
	var rep ReadyReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	return rep, resp.StatusCode
}
