package auditcmd_test

import (
	"strings"
	"testing"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// TestJobsAndEditsAreAudited: an edit, a detached job's creation, its
// cancel, and the end of a job run in the foreground each leave one record
// with the actor, the reason and the right outcome; a dry-run edit, a
// refused one and one that changes nothing leave none.
func TestJobsAndEditsAreAudited(t *testing.T) {
	e := newEnv(t)
	ids := seedDLQ(t, e, 3)

	e.OK("dlq", "edit", ids[0], "--set", "metadata.service_name=fixed-service", "--dry-run")
	e.OK("dlq", "edit", ids[0], "--set", "metadata.service_name=fixed-service", "--reason", "r-edit")
	// Neither a refused edit nor one that changes nothing stores anything.
	e.WantExit(exitcode.Usage, "dlq", "edit", ids[0], "--set", "event_id=not-the-same")
	e.OK("dlq", "edit", ids[0], "--set", "metadata.service_name=fixed-service")
	cancelled := strings.TrimSpace(e.OK("dlq", "retry", ids[1], "--detach", "--reason", "r-job-a"))
	e.OK("dlq", "jobs", "cancel", cancelled, "--reason", "r-cancel")
	run := strings.TrimSpace(e.OK("dlq", "retry", ids[2], "--detach", "--reason", "r-job-b"))
	e.OK("dlq", "jobs", "run", run)
	if got := dlqStatus(t, e, ids[2]); got != "retried" {
		t.Fatalf("message %s is %s after its job ran, want retried", ids[2], got)
	}
	if got := dlqStatus(t, e, ids[1]); got != "pending" {
		t.Fatalf("message %s of the cancelled job is %s, want pending", ids[1], got)
	}

	got := list(e)
	byAction := map[string][]audit.Record{}
	for _, r := range got.Items {
		byAction[r.Action] = append(byAction[r.Action], r)
	}
	if n := len(got.Items); n != 5 {
		t.Fatalf("%d records, want 5 (edit, 2 job creates, cancel, finish): %v", n, actions(got.Items))
	}
	checkRecord(t, one(t, byAction, audit.DLQEdit), want{audit.DLQEdit, ids[0], "r-edit", audit.OK, nil})
	checkRecord(t, one(t, byAction, audit.DLQJobCancel), want{audit.DLQJobCancel, cancelled, "r-cancel", audit.OK, nil})
	checkRecord(t, one(t, byAction, audit.DLQJobFinish),
		want{audit.DLQJobFinish, run, "r-job-b", audit.OK, &audit.Counts{Succeeded: 1}})
	creates := byAction[audit.DLQJobCreate]
	if len(creates) != 2 {
		t.Fatalf("%d %s records, want 2", len(creates), audit.DLQJobCreate)
	}
	for _, c := range creates {
		switch c.Reason {
		case "r-job-a":
			checkRecord(t, c, want{audit.DLQJobCreate, cancelled, "r-job-a", audit.OK, nil})
		case "r-job-b":
			checkRecord(t, c, want{audit.DLQJobCreate, run, "r-job-b", audit.OK, nil})
		default:
			t.Errorf("a %s record with reason %q", audit.DLQJobCreate, c.Reason)
		}
	}
}

// one is the only record of an action.
func one(t *testing.T, by map[string][]audit.Record, action string) audit.Record {
	t.Helper()
	if len(by[action]) != 1 {
		t.Fatalf("%d %s records, want 1", len(by[action]), action)
	}
	return by[action][0]
}
