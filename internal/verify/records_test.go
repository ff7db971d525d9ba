package verify

import "testing"

var sampleValue = []byte(`{"event_id":"3f1c9a1e-4b7d-4c55-9f0e-1d2a3b4c5d6e","event_type":"execution_completed","event_version":"1.0","timestamp":"2026-11-30T12:00:00.123Z","aggregate_id":"exec-1","metadata":{"service_name":"pod-monitor","service_version":"1.0.0","user_id":"user-1","environment":"production"},"execution_id":"exec-1","exit_code":0,"stdout":"hello\n","resource_usage":{"execution_time_wall_seconds":1.5,"cpu_time_jiffies":120,"clk_tck_hertz":100,"peak_memory_kb":20480}}`)

func BenchmarkEventIDOf(b *testing.B) {
	b.SetBytes(int64(len(sampleValue)))
	for range b.N {
		if _, ok := eventIDOf(sampleValue); !ok {
			b.Fatal("no id")
		}
	}
}

func BenchmarkScanEventID(b *testing.B) {
	b.SetBytes(int64(len(sampleValue)))
	for range b.N {
		if _, ok, sure := scanEventID(sampleValue); !ok || !sure {
			b.Fatal("no id")
		}
	}
}

// The scan agrees with a full decode wherever it is sure, and defers to it
// otherwise.
func TestScanEventIDAgreesWithTheDecoder(t *testing.T) {
	cases := []string{
		string(sampleValue),
		`{"event":{"event_id":"inner"},"event_id":"outer"}`,
		`{"a":"x\"event_id\":\"no\"","event_id":"yes"}`,
		`{"list":[{"event_id":"in-array"}],"event_id":"top"}`,
		` { "event_id" : "spaced" }`,
		`{"event_id":"esc\u0041ped"}`,
		`{"event_id":5}`,
		`{"event_id":""}`,
		`{"event_id":null}`,
		`{"other":1}`,
		`{"k":"event_id","v":"event_id"}`,
		`not json`,
		`[{"event_id":"arr"}]`,
	}
	for _, c := range cases {
		id, ok, sure := scanEventID([]byte(c))
		wantID, wantOK := eventIDOf([]byte(c))
		if sure && (id != wantID || ok != wantOK) {
			t.Errorf("scan %s = %q %v, decode = %q %v", c, id, ok, wantID, wantOK)
		}
	}
	if id, ok, sure := scanEventID([]byte(`{"event":{"event_id":"inner"},"event_id":"outer"}`)); !sure || !ok || id != "outer" {
		t.Errorf("nested event_id: %q %v %v", id, ok, sure)
	}
}
