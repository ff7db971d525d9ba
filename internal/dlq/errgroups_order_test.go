package dlq

import (
	"strings"
	"testing"
	"time"
)

// The order of `dlq errors` is the domain's: moved here from the command
// line, which used to sort the groups a second time.
func TestSortGroupsBreaksTiesDownToThePattern(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	groups := []ErrorGroup{
		{Pattern: "old but big", Count: 50, LastSeen: now.Add(-time.Hour)},
		{Pattern: "new and small", Count: 2, LastSeen: now},
		{Pattern: "b tie", Count: 2, LastSeen: now.Add(-2 * time.Hour)},
		{Pattern: "a tie", Count: 2, LastSeen: now.Add(-2 * time.Hour)},
	}
	order := func() string {
		var names []string
		for _, g := range groups {
			names = append(names, g.Pattern)
		}
		return strings.Join(names, "|")
	}
	sortGroups(groups, SortLastSeen)
	if got := order(); got != "new and small|old but big|a tie|b tie" {
		t.Errorf("last-seen order: %s", got)
	}
	sortGroups(groups, SortCount)
	if got := order(); got != "old but big|new and small|a tie|b tie" {
		t.Errorf("count order: %s", got)
	}
}
