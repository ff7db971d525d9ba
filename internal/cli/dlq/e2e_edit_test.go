package dlqcmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// editEnv is an env with one pending message whose metadata.user_id is
// user-1, and a fixed actor.
func editEnv(t *testing.T, status string) (*env, string) {
	t.Helper()
	e := newEnv(t)
	e.Vars[config.EnvActor] = "alice"
	id := uuid("edit-" + t.Name())
	e.insert(msgSpec{id: id, typ: "execution_requested", status: status, err: "user not found", failedAgo: time.Hour})
	return e, id
}

type editJSON struct {
	EventID string `json:"event_id"`
	Changes []struct {
		Path string          `json:"path"`
		Old  json.RawMessage `json:"old"`
		New  json.RawMessage `json:"new"`
	} `json:"changes"`
	Stored bool   `json:"stored"`
	DryRun bool   `json:"dry_run"`
	Who    string `json:"who"`
	Reason string `json:"reason"`
}

// eventField reads a stored message's event field at path.
func eventField(t *testing.T, doc bson.M, path ...string) bson.RawValue {
	t.Helper()
	raw, err := bson.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	v, err := bson.Raw(raw).LookupErr(append([]string{"event"}, path...)...)
	if err != nil {
		t.Fatalf("event.%s: %v", strings.Join(path, "."), err)
	}
	return v
}

func userID(t *testing.T, doc bson.M) string {
	t.Helper()
	return eventField(t, doc, "metadata", "user_id").StringValue()
}

func (e *env) edits(id string) []store.DLQEdit {
	e.t.Helper()
	return testenv.FindAll[store.DLQEdit](e.t, e.st.DLQEdits().Collection(), bson.D{{Key: "event_id", Value: id}})
}

func keys(m bson.M) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestEditWithSetStoresTheEventAndRecordsTheEdit(t *testing.T) {
	e, id := editEnv(t, "pending")
	before := e.stored(id)
	var res editJSON
	e.okJSON(&res, "edit", id[:8], "--set", "metadata.user_id=user-2", "--set", "exit_code=0", "--reason", "ticket 812")
	if !res.Stored || res.EventID != id || res.Who != "alice" || res.Reason != "ticket 812" || len(res.Changes) != 2 {
		t.Fatalf("result %+v", res)
	}
	if c := res.Changes[0]; c.Path != "metadata.user_id" || string(c.Old) != `"user-1"` || string(c.New) != `"user-2"` {
		t.Fatalf("first change %+v", c)
	}
	after := e.stored(id)
	if userID(t, after) != "user-2" || eventField(t, after, "exit_code").Int32() != 0 {
		t.Fatalf("stored event %v", after["event"])
	}
	if !reflect.DeepEqual(keys(before), keys(after)) {
		t.Fatalf("dlq_messages fields changed: %v -> %v", keys(before), keys(after))
	}
	if after["status"] != "pending" || after["retry_count"] != before["retry_count"] {
		t.Fatalf("status or retry count changed: %v %v", after["status"], after["retry_count"])
	}
	recs := e.edits(id)
	var orig, edit *store.DLQEdit
	for i := range recs {
		switch recs[i].Kind {
		case store.DLQEditOriginal:
			orig = &recs[i]
		case store.DLQEditRecord:
			edit = &recs[i]
		}
	}
	if len(recs) != 2 || orig == nil || edit == nil {
		t.Fatalf("want an original and one edit record, got %+v", recs)
	}
	if orig.Event.Lookup("metadata", "user_id").StringValue() != "user-1" {
		t.Fatalf("original event %v", orig.Event)
	}
	if edit.Who != "alice" || edit.Reason != "ticket 812" || len(edit.Changes) != 2 || edit.Changes[0].Path != "metadata.user_id" {
		t.Fatalf("edit record %+v", edit)
	}
}

// writeEditor writes an EDITOR script and returns its path. The files the
// command edits go to a temporary directory of the test's own.
func writeEditor(t *testing.T, body string) string {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir())
	path := filepath.Join(t.TempDir(), "editor.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\nset -e\n"+body+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEditInTheEditorStoresWhatWasSaved(t *testing.T) {
	e, id := editEnv(t, "scheduled")
	seen := filepath.Join(t.TempDir(), "seen.json")
	mode := filepath.Join(t.TempDir(), "mode")
	e.Vars["EDITOR"] = writeEditor(t, `cp "$1" `+seen+`; stat -c %a "$1" > `+mode+`; sed -i 's/"user-1"/"user-9"/' "$1"`)
	r := e.run(runOpts{tty: true}, "edit", id, "--reason", "typo").Want(t, exitcode.OK)
	if !strings.Contains(r.Stdout, "metadata.user_id") || !strings.Contains(r.Stdout, `"user-1" → "user-9"`) {
		t.Fatalf("no diff in the output:\n%s", r.Stdout)
	}
	if got := userID(t, e.stored(id)); got != "user-9" {
		t.Fatalf("stored user_id %q", got)
	}
	shown, err := os.ReadFile(seen)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(shown), "\n  \"metadata\": {\n    \"service_name\"") {
		t.Fatalf("the editor was not given indented JSON:\n%s", shown)
	}
	if m, err := os.ReadFile(mode); err != nil || strings.TrimSpace(string(m)) != "600" {
		t.Fatalf("the edited file's mode is %q (%v), want 600", m, err)
	}
	if left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "replayctl-dlq-edit-*")); len(left) != 0 {
		t.Fatalf("temporary files left after a stored edit: %v", left)
	}
}

func TestEditInTheEditorKeepsARefusedEditForFromFile(t *testing.T) {
	e, id := editEnv(t, "pending")
	e.Vars["VISUAL"] = writeEditor(t, `sed -i 's/"user-1"/null/' "$1"`)
	e.Vars["EDITOR"] = "false" // VISUAL wins
	r := e.run(runOpts{tty: true}, "edit", id).Want(t, exitcode.Usage)
	if !strings.Contains(r.Stderr, "metadata.user_id must be a string") || !strings.Contains(r.Stderr, "--from-file") {
		t.Fatalf("stderr:\n%s", r.Stderr)
	}
	if got := userID(t, e.stored(id)); got != "user-1" {
		t.Fatalf("stored user_id %q", got)
	}
	kept, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "replayctl-dlq-edit-*.json"))
	if len(kept) != 1 || !strings.Contains(r.Stderr, kept[0]) {
		t.Fatalf("kept files %v, stderr:\n%s", kept, r.Stderr)
	}
	if data, err := os.ReadFile(kept[0]); err != nil || !strings.Contains(string(data), `"user_id": null`) {
		t.Fatalf("kept file does not hold the edit (%v):\n%s", err, data)
	}
}

func TestEditFromStdin(t *testing.T) {
	e, id := editEnv(t, "pending")
	var show struct {
		Message struct {
			Event json.RawMessage `json:"event"`
		} `json:"message"`
	}
	e.okJSON(&show, "show", id)
	edited := strings.Replace(string(show.Message.Event), `"user-1"`, `"user-3"`, 1)
	var res editJSON
	out := e.run(runOpts{stdin: edited}, "edit", id, "--from-file", "-", "-o", "json").Want(t, exitcode.OK).Stdout
	if err := json.Unmarshal([]byte(out), &res); err != nil || !res.Stored || len(res.Changes) != 1 {
		t.Fatalf("result %s (%v)", out, err)
	}
	if got := userID(t, e.stored(id)); got != "user-3" {
		t.Fatalf("stored user_id %q", got)
	}
}

func TestEditWithoutATerminalNeedsFromFileOrSet(t *testing.T) {
	e, id := editEnv(t, "pending")
	r := e.wantExit(exitcode.Usage, runOpts{}, "edit", id)
	if !strings.Contains(r.Stderr, "--from-file") || !strings.Contains(r.Stderr, "--set") {
		t.Fatalf("stderr does not name the flags:\n%s", r.Stderr)
	}
}

func TestEditDryRunStoresNothing(t *testing.T) {
	e, id := editEnv(t, "pending")
	before := e.allDocs()
	r := e.wantExit(exitcode.OK, runOpts{}, "edit", id, "--set", "metadata.user_id=user-2", "--dry-run")
	if !strings.Contains(r.Stdout, "dry run") || !strings.Contains(r.Stdout, `"user-1" → "user-2"`) {
		t.Fatalf("stdout:\n%s", r.Stdout)
	}
	if !reflect.DeepEqual(before, e.allDocs()) {
		t.Fatal("dry run changed dlq_messages")
	}
	if recs := e.edits(id); len(recs) != 0 {
		t.Fatalf("dry run recorded %+v", recs)
	}
}

func TestEditRefusesAChangedEventIDAndChangesNothing(t *testing.T) {
	e, id := editEnv(t, "pending")
	before := e.allDocs()
	for _, set := range []string{"event_id=" + uuid("other"), "event_type=execution_failed", "metadata.user_id=null", "timestamp=soon"} {
		r := e.wantExit(exitcode.Usage, runOpts{}, "edit", id, "--set", set)
		field, _, _ := strings.Cut(set, "=")
		if !strings.Contains(r.Stderr, field) {
			t.Errorf("--set %s: stderr does not name %s:\n%s", set, field, r.Stderr)
		}
	}
	if !reflect.DeepEqual(before, e.allDocs()) {
		t.Fatal("a refused edit changed dlq_messages")
	}
	if recs := e.edits(id); len(recs) != 0 {
		t.Fatalf("a refused edit was recorded: %+v", recs)
	}
}

func TestEditOfARetriedOrDiscardedMessageExits4(t *testing.T) {
	for _, status := range []string{"retried", "discarded"} {
		e, id := editEnv(t, status)
		r := e.wantExit(exitcode.InvalidState, runOpts{}, "edit", id, "--set", "metadata.user_id=user-2")
		if !strings.Contains(r.Stderr, status) {
			t.Errorf("%s: stderr:\n%s", status, r.Stderr)
		}
		if got := userID(t, e.stored(id)); got != "user-1" {
			t.Fatalf("%s: stored user_id %q", status, got)
		}
	}
}

func TestEditThatChangesNothingStoresNothing(t *testing.T) {
	e, id := editEnv(t, "pending")
	before := e.allDocs()
	r := e.wantExit(exitcode.OK, runOpts{}, "edit", id, "--set", "metadata.user_id=user-1")
	if !strings.Contains(r.Stdout, "no changes") {
		t.Fatalf("stdout:\n%s", r.Stdout)
	}
	e.Vars["EDITOR"] = writeEditor(t, `true`)
	e.wantExit(exitcode.OK, runOpts{tty: true}, "edit", id)
	if !reflect.DeepEqual(before, e.allDocs()) {
		t.Fatal("a no-op edit changed dlq_messages")
	}
	if recs := e.edits(id); len(recs) != 0 {
		t.Fatalf("a no-op edit was recorded: %+v", recs)
	}
}

func TestShowShowsTheEditsAndTheOriginalAfterSeveralEdits(t *testing.T) {
	e, id := editEnv(t, "pending")
	// Edits a second apart: the env's clock is fixed, and "latest" is by time.
	for i, set := range []string{"metadata.user_id=user-2", "exit_code=0", "metadata.user_id=user-3"} {
		at := e.now.Add(time.Duration(i) * time.Second)
		e.Now = func() time.Time { return at }
		if i == 2 {
			e.Vars[config.EnvActor] = "bob"
			e.ok("edit", id, "--set", set, "--reason", "second thoughts")
			continue
		}
		e.ok("edit", id, "--set", set)
	}

	var show struct {
		Edits *struct {
			Count        int       `json:"count"`
			LatestBy     string    `json:"latest_by"`
			LatestAt     time.Time `json:"latest_at"`
			LatestReason string    `json:"latest_reason"`
			Changes      []struct {
				Path string          `json:"path"`
				Old  json.RawMessage `json:"old"`
				New  json.RawMessage `json:"new"`
			} `json:"changes"`
			Original map[string]any `json:"original"`
		} `json:"edits"`
	}
	e.okJSON(&show, "show", id)
	ed := show.Edits
	if ed == nil || ed.Count != 3 || ed.LatestBy != "bob" || ed.LatestReason != "second thoughts" || ed.LatestAt.IsZero() {
		t.Fatalf("edits %+v", ed)
	}
	if got := ed.Original["metadata"].(map[string]any)["user_id"]; got != "user-1" {
		t.Fatalf("original user_id %v", got)
	}
	if len(ed.Changes) != 2 || ed.Changes[0].Path != "metadata.user_id" || string(ed.Changes[0].Old) != `"user-1"` ||
		string(ed.Changes[0].New) != `"user-3"` || ed.Changes[1].Path != "exit_code" {
		t.Fatalf("changes from the original %+v", ed.Changes)
	}
	table := e.ok("show", id)
	for _, want := range []string{"Edited", "bob", "(3 edits)", "second thoughts", `"user-1" → "user-3"`, "1 → 0"} {
		if !strings.Contains(table, want) {
			t.Errorf("show lacks %q:\n%s", want, table)
		}
	}
	yaml := e.ok("show", id, "-o", "yaml")
	if !strings.Contains(yaml, "edits:") || !strings.Contains(yaml, "latest_by: bob") {
		t.Errorf("yaml lacks edits:\n%s", yaml)
	}
	unedited := uuid("never-edited")
	e.insert(msgSpec{id: unedited, typ: "execution_requested", status: "pending", err: "x", failedAgo: time.Hour})
	if out := e.ok("show", unedited, "-o", "json"); strings.Contains(out, `"edits"`) {
		t.Fatalf("an unedited message shows edits:\n%s", out)
	}
}

func TestRetryOfAnEditedMessageSendsTheEditedEventWithTheEditedHeader(t *testing.T) {
	e, id := editEnv(t, "pending")
	plain := uuid("plain-" + t.Name())
	e.insert(msgSpec{id: plain, typ: "execution_requested", status: "pending", err: "x", failedAgo: time.Hour})
	e.ok("edit", id, "--set", "metadata.user_id=user-2")
	e.ok("retry", id, plain, "--yes")
	topic := e.topic("execution_requested")
	recs := testenv.ReadToEnd(t, testenv.Shared(t).KafkaBrokers(), topic)
	if len(recs) != 2 {
		t.Fatalf("%d records on %s, want 2", len(recs), topic)
	}
	for _, r := range recs {
		var ev struct {
			EventID  string `json:"event_id"`
			Metadata struct {
				UserID string `json:"user_id"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(r.Value, &ev); err != nil {
			t.Fatal(err)
		}
		edited := ""
		for _, h := range r.Headers {
			if h.Key == dlq.HeaderEdited {
				edited = string(h.Value)
			}
		}
		switch ev.EventID {
		case id:
			if ev.Metadata.UserID != "user-2" || edited != "true" {
				t.Errorf("edited message sent with user_id %q, %s=%q", ev.Metadata.UserID, dlq.HeaderEdited, edited)
			}
		case plain:
			if ev.Metadata.UserID != "user-1" || edited != "" {
				t.Errorf("unedited message sent with user_id %q, %s=%q", ev.Metadata.UserID, dlq.HeaderEdited, edited)
			}
		default:
			t.Errorf("unexpected record %s", r.Value)
		}
	}
}

// Two operators edit one message at once: the one who saves second edited
// an event that is no longer there, so nothing of theirs is stored.
func TestEditRacedByAnotherEditIsAConflict(t *testing.T) {
	e, id := editEnv(t, "pending")
	dir := t.TempDir()
	opened, proceed := filepath.Join(dir, "opened"), filepath.Join(dir, "proceed")
	// Waits for the test's go-ahead, polling a file the test creates.
	e.Vars["EDITOR"] = writeEditor(t, `touch `+opened+`; while [ ! -e `+proceed+` ]; do sleep 0.05; done; sed -i 's/"user-1"/"user-slow"/' "$1"`)
	var wg sync.WaitGroup
	var slow struct {
		code   exitcode.Code
		stderr string
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		r := e.run(runOpts{tty: true}, "edit", id)
		slow.code, slow.stderr = r.Code, r.Stderr
	}()
	testenv.Eventually(t, commandTimeout, func() bool { _, err := os.Stat(opened); return err == nil }, "the editor did not open")
	e.ok("edit", id, "--set", "metadata.user_id=user-fast")
	if err := os.WriteFile(proceed, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if slow.code != exitcode.InvalidState || !strings.Contains(slow.stderr, "changed since it was read") {
		t.Fatalf("slow editor: exit %d\n%s", slow.code, slow.stderr)
	}
	if got := userID(t, e.stored(id)); got != "user-fast" {
		t.Fatalf("stored user_id %q", got)
	}
	var n int
	for _, r := range e.edits(id) {
		if r.Kind == store.DLQEditRecord {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d edit records, want 1", n)
	}
}
