package dlq

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
)

// GroupMember is one member of the DLQ consumer group as its coordinator
// describes it.
type GroupMember struct {
	MemberID   string  `json:"member_id" yaml:"member_id"`
	InstanceID string  `json:"instance_id,omitempty" yaml:"instance_id,omitempty"`
	ClientID   string  `json:"client_id" yaml:"client_id"`
	Host       string  `json:"host" yaml:"host"`
	Partitions []int32 `json:"partitions" yaml:"partitions"`
}

func (m GroupMember) String() string {
	name := m.ClientID
	if m.InstanceID != "" {
		name += " (instance " + m.InstanceID + ")"
	}
	ps := make([]string, len(m.Partitions))
	for i, p := range m.Partitions {
		ps[i] = fmt.Sprint(p)
	}
	return fmt.Sprintf("%s on %s, partitions %s", name, strings.TrimPrefix(m.Host, "/"), strings.Join(ps, ","))
}

// GroupBusyError is a --once pass that read nothing because the other
// members of its consumer group (running processors, usually workers) own
// every partition of the DLQ topic. Those members process the topic; the
// pass has nothing it may read.
type GroupBusyError struct {
	Group      string
	Topic      string
	Partitions int
	Members    []GroupMember // the other members
}

func (e *GroupBusyError) Error() string {
	ms := make([]string, len(e.Members))
	for i, m := range e.Members {
		ms[i] = m.String()
	}
	return fmt.Sprintf("the pass read nothing: the other members of consumer group %s own every partition of %s (%d in all): %s",
		e.Group, e.Topic, e.Partitions, strings.Join(ms, "; "))
}

// groupState is what the held-by-others decision needs of a described group.
type groupState struct {
	State   string
	Members []GroupMember
}

func describedState(g kadm.DescribedGroup, topic string) groupState {
	st := groupState{State: g.State}
	for _, m := range g.Members {
		gm := GroupMember{MemberID: m.MemberID, ClientID: m.ClientID, Host: m.ClientHost}
		if m.InstanceID != nil {
			gm.InstanceID = *m.InstanceID
		}
		if a, ok := m.Assigned.AsConsumer(); ok {
			for _, t := range a.Topics {
				if t.Topic == topic {
					gm.Partitions = append(gm.Partitions, t.Partitions...)
				}
			}
		}
		slices.Sort(gm.Partitions)
		st.Members = append(st.Members, gm)
	}
	return st
}

// othersOwnAll reports whether self is a member without partitions of the
// topic while the other members own all of them, and returns the others.
func othersOwnAll(g groupState, self string, partitions int) ([]GroupMember, bool) {
	var others []GroupMember
	owned := map[int32]bool{}
	found := false
	for _, m := range g.Members {
		if m.MemberID == self {
			found = len(m.Partitions) == 0
			continue
		}
		others = append(others, m)
		for _, p := range m.Partitions {
			owned[p] = true
		}
	}
	return others, found && partitions > 0 && len(owned) >= partitions
}

// settledWithout decides whether self, assigned nothing, can stop waiting:
// the group is stable, the others own every partition, and there are more
// members than partitions. With no more members than partitions every
// balanced assignor (range, round robin, sticky) gives each member one at
// least, so an empty assignment there is the first half of a cooperative
// rebalance: the owners give partitions up and a second round hands them
// over, once each owner has finished its batch in hand.
func settledWithout(g groupState, self string, partitions int) ([]GroupMember, bool) {
	others, all := othersOwnAll(g, self, partitions)
	return others, all && g.State == "Stable" && len(g.Members) > partitions
}

// groupBusy describes the group and returns a *GroupBusyError when its
// other members own every partition of the DLQ topic for good (see
// settledWithout) or, once the join timeout has passed (final), at all.
func (r *runner) groupBusy(ctx context.Context, partitions int, final bool) error {
	gs, err := kadm.NewClient(r.cl).DescribeGroups(ctx, r.o.Group)
	if err != nil {
		return fmt.Errorf("describe consumer group %s: %w", r.o.Group, err)
	}
	g, ok := gs[r.o.Group]
	if !ok || g.Err != nil {
		return nil // not conclusive: look again
	}
	self, _ := r.cl.GroupMetadata()
	st := describedState(g, r.m.DLQTopic)
	decide := settledWithout
	if final {
		decide = othersOwnAll
	}
	others, busy := decide(st, self, partitions)
	if !busy {
		return nil
	}
	return &GroupBusyError{Group: r.o.Group, Topic: r.m.DLQTopic, Partitions: partitions, Members: others}
}
