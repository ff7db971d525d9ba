// Package contract holds the platform's data contract (../shared/CONTRACT.md):
// event types, the documents replayctl shares with the platform, and the replay
// session state machine. Field names and types here must match the platform's.
package contract

import (
	"sort"
	"strings"
)

// EventTypes is the platform's list of known event types, in contract order.
// Stored data may hold others; those are carried through, never rejected.
var eventTypes = []string{
	"execution_requested", "execution_accepted", "execution_queued", "execution_started",
	"execution_running", "execution_completed", "execution_failed", "execution_timeout",
	"execution_cancelled",
	"pod_created", "pod_scheduled", "pod_running", "pod_succeeded", "pod_failed",
	"pod_terminated", "pod_deleted",
	"user_registered", "user_login", "user_logged_in", "user_logged_out", "user_updated",
	"user_deleted", "user_settings_updated",
	"notification_created", "notification_sent", "notification_delivered",
	"notification_failed", "notification_read", "notification_all_read",
	"notification_clicked", "notification_preferences_updated",
	"script_saved", "script_deleted", "script_shared",
	"security_violation", "rate_limit_exceeded", "auth_failed",
	"resource_limit_exceeded", "quota_exceeded",
	"system_error", "service_unhealthy", "service_recovered",
	"result_stored", "result_failed",
	"saga_started", "saga_completed", "saga_failed", "saga_cancelled", "saga_compensating",
	"saga_compensated",
	"create_pod_command", "delete_pod_command", "allocate_resources_command",
	"release_resources_command",
	"dlq_message_received", "dlq_message_retried", "dlq_message_discarded",
}

var knownTypes = func() map[string]bool {
	m := make(map[string]bool, len(eventTypes))
	for _, t := range eventTypes {
		m[t] = true
	}
	return m
}()

// EventTypes returns a copy of the known event types.
func EventTypes() []string { return append([]string(nil), eventTypes...) }

// IsKnownEventType reports whether t is in the contract's list.
func IsKnownEventType(t string) bool { return knownTypes[t] }

// Category groups event types for retry policies.
type Category string

const (
	CategoryExecution Category = "EXECUTION"
	CategoryPod       Category = "POD"
	CategoryCommand   Category = "COMMAND"
	CategoryResult    Category = "RESULT"
	CategoryOther     Category = "OTHER"
)

// CategoryOf returns the retry-policy category of an event type.
func CategoryOf(eventType string) Category {
	switch {
	case strings.HasPrefix(eventType, "execution_") && knownTypes[eventType]:
		return CategoryExecution
	case strings.HasPrefix(eventType, "pod_") && knownTypes[eventType]:
		return CategoryPod
	case strings.HasSuffix(eventType, "_command") && knownTypes[eventType]:
		return CategoryCommand
	case eventType == "result_stored" || eventType == "result_failed":
		return CategoryResult
	}
	return CategoryOther
}

// ClosestEventTypes suggests up to n known types for a mistyped one, nearest
// first, so an operator's typo gets a useful usage error.
func ClosestEventTypes(t string, n int) []string {
	type cand struct {
		name string
		dist int
	}
	cands := make([]cand, 0, len(eventTypes))
	for _, k := range eventTypes {
		d := levenshtein(t, k)
		if strings.Contains(k, t) || strings.Contains(t, k) {
			d = min(d, 2)
		}
		cands = append(cands, cand{k, d})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].dist < cands[j].dist })
	limit := max(3, len(t)/2)
	var out []string
	for _, c := range cands {
		if len(out) == n || c.dist > limit {
			break
		}
		out = append(out, c.name)
	}
	return out
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
