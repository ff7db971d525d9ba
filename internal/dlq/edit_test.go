package dlq

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/contract/contracttest"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
)

func withUserID(d *EditDraft, user string) []byte {
	return []byte(strings.Replace(string(d.JSON), `"user_id": "u"`, fmt.Sprintf(`"user_id": %q`, user), 1))
}

func (e *env) editRecords(id string) int64 {
	return e.count(store.DLQEditsCollection, bson.D{{Key: "event_id", Value: id}, {Key: "kind", Value: store.DLQEditRecord}})
}

// On the embedded server a conditional update is not atomic (EMBEDDED.md),
// so this proves the claim, not the update's filter, keeps concurrent
// saves of one event from overwriting each other.
func TestConcurrentSavesOfOneEventStoreExactlyOne(t *testing.T) {
	e := newEnv(t)
	id := "edit-race-1"
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	e.insertPlatformDoc(id, "execution_requested", e.topic("execution_requested"), contract.DLQPending, 0, at, "boom", nil)
	const n = 6
	drafts := make([]*EditDraft, n)
	for i := range drafts {
		d, err := e.manager(fmt.Sprintf("editor-%d", i)).OpenEdit(ctxT(t), id)
		if err != nil {
			t.Fatal(err)
		}
		drafts[i] = d
	}
	results := make([]*EditResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range drafts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := e.manager(fmt.Sprintf("editor-%d", i))
			results[i], errs[i] = m.Edit(ctxT(t), drafts[i], withUserID(drafts[i], fmt.Sprintf("user-%d", i)), EditOptions{Who: fmt.Sprintf("op-%d", i)})
		}()
	}
	wg.Wait()
	winner := -1
	for i := range errs {
		switch {
		case errs[i] == nil && results[i].Stored:
			if winner >= 0 {
				t.Fatalf("saves %d and %d both stored", winner, i)
			}
			winner = i
		case fault.KindOf(errs[i]) != fault.Conflict:
			t.Fatalf("save %d: %v, want a conflict", i, errs[i])
		}
	}
	if winner < 0 {
		t.Fatal("no save stored")
	}
	got := e.loadMsg(id)
	if u := got.Event.Lookup("metadata", "user_id").StringValue(); u != fmt.Sprintf("user-%d", winner) {
		t.Fatalf("stored user_id %s, winner was %d", u, winner)
	}
	if k := e.editRecords(id); k != 1 {
		t.Fatalf("%d edit records, want 1", k)
	}
}

// An edit racing a retry of the same message: the retry never sends the
// old event after the edit was stored, and an edit that lost is refused.
func TestEditRacingARetryNeverLosesTheEdit(t *testing.T) {
	e := newEnv(t)
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	topic := e.topic("execution_requested")
	const n = 4
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("edit-vs-retry-%d", i)
		e.insertPlatformDoc(ids[i], "execution_requested", topic, contract.DLQPending, 0, at, "boom", nil)
	}
	edited := make([]bool, n)
	var wg sync.WaitGroup
	for i, id := range ids {
		d, err := e.manager("editor").OpenEdit(ctxT(t), id)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			res, err := e.manager("editor").Edit(ctxT(t), d, withUserID(d, "fixed"), EditOptions{Who: "op"})
			if err != nil && fault.KindOf(err) != fault.Conflict {
				t.Errorf("edit %s: %v", id, err)
			}
			edited[i] = err == nil && res.Stored
		}()
		go func() {
			defer wg.Done()
			m := e.manager("retrier")
			p, err := m.PlanByIDs(ctxT(t), []string{id}, "")
			if err == nil {
				_, err = m.Retry(ctxT(t), p, BatchOptions{})
			}
			if err != nil && fault.KindOf(err) != fault.Conflict {
				t.Errorf("retry %s: %v", id, err)
			}
		}()
	}
	wg.Wait()
	sent := map[string]*struct{ user, header string }{}
	for _, r := range readTopic(t, topic, 0) {
		var ev struct {
			EventID  string `json:"event_id"`
			Metadata struct {
				UserID string `json:"user_id"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(r.Value, &ev); err != nil {
			t.Fatal(err)
		}
		sent[ev.EventID] = &struct{ user, header string }{ev.Metadata.UserID, headerMap(r)[HeaderEdited]}
	}
	for i, id := range ids {
		s := sent[id]
		msg := e.loadMsg(id)
		stored := msg.Event.Lookup("metadata", "user_id").StringValue()
		if edited[i] != (stored == "fixed") {
			t.Errorf("%s: edit reported stored=%v, stored user_id %s", id, edited[i], stored)
		}
		if s != nil && (s.user != stored || (s.header == "true") != edited[i]) {
			t.Errorf("%s: sent user_id %s (edited header %q), stored %s", id, s.user, s.header, stored)
		}
	}
}

func TestEditRefusesAnEventTooLargeForARecord(t *testing.T) {
	e := newEnv(t)
	id := "edit-too-large"
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	e.insertPlatformDoc(id, "execution_requested", e.topic("execution_requested"), contract.DLQPending, 0, at, "boom", nil)
	m := e.manager("editor")
	d, err := m.OpenEdit(ctxT(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if d.MaxEventBytes >= MaxRecordBytes || d.MaxEventBytes < MaxRecordBytes-2048 {
		t.Fatalf("MaxEventBytes %d for a small message", d.MaxEventBytes)
	}
	big := strings.Replace(string(d.JSON), `"execution_id"`, `"stdout": "`+strings.Repeat("x", MaxRecordBytes)+`", "execution_id"`, 1)
	_, err = m.Edit(ctxT(t), d, []byte(big), EditOptions{Who: "op"})
	if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "a record may carry") {
		t.Fatalf("got %v, want invalid: too large", err)
	}
	if k := e.count(store.DLQEditsCollection, bson.D{}); k != 0 {
		t.Fatalf("%d edit documents after a refused edit", k)
	}
}

func TestEditedMessageMeetsTheContract(t *testing.T) {
	e := newEnv(t)
	id := "edit-contract"
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	e.insertPlatformDoc(id, "execution_requested", e.topic("execution_requested"), contract.DLQScheduled, 2, at, "boom", at)
	before := e.rawMsg(id)
	m := e.manager("editor")
	d, err := m.OpenEdit(ctxT(t), id)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(withUserID(d, "u-2")), `"execution_id"`, `"exit_code": 0, "ratio": 1.0, "execution_id"`, 1)
	if _, err := m.Edit(ctxT(t), d, []byte(edited), EditOptions{Who: "op"}); err != nil {
		t.Fatal(err)
	}
	after := e.rawMsg(id)
	for _, err := range append(contracttest.CheckBSON(contracttest.DLQMessage, after),
		contracttest.CheckBSON(contracttest.Event, after.Lookup("event").Document())...) {
		t.Error(err)
	}
	ev := after.Lookup("event").Document()
	if ev.Lookup("timestamp").Type != bson.TypeDateTime || ev.Lookup("exit_code").Type != bson.TypeInt32 || ev.Lookup("ratio").Type != bson.TypeDouble {
		t.Errorf("edited event not stored with the ingestion's types: %v", ev)
	}
	beforeKeys, afterKeys := topKeys(t, before), topKeys(t, after)
	if strings.Join(beforeKeys, ",") != strings.Join(afterKeys, ",") {
		t.Errorf("dlq_messages fields changed: %v -> %v", beforeKeys, afterKeys)
	}
}

func topKeys(t *testing.T, raw bson.Raw) []string {
	t.Helper()
	els, err := raw.Elements()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(els))
	for i, el := range els {
		out[i] = el.Key()
	}
	return out
}
