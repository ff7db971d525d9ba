package dlqcmd

import (
	"strconv"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/dlq"
)

// filterFlagNames are the selection flags a bulk action records as given.
var filterFlagNames = []string{"status", "topic", "type", "allow-unknown-type", "since", "until", "error", "limit", "offset"}

// batchIntent describes a confirmed batch for the audit trail: the ids it
// will act on, then those asked for but already refused (so a search by
// one of them finds the attempt), and with --all the filter as typed and
// how many it matched.
func batchIntent(o *BatchOptions, plan *dlq.Plan, act batchAction) audit.Intent {
	in := audit.Intent{Action: act.action, Reason: act.reason, Targets: make([]string, 0, len(plan.Messages)+len(plan.Refused))}
	for i := range plan.Messages {
		in.Targets = append(in.Targets, plan.Messages[i].EventID())
	}
	for _, r := range plan.Refused {
		in.Targets = append(in.Targets, r.EventID)
	}
	if len(o.IDs) == 0 {
		matched := int64(len(plan.Messages))
		in.Filter, in.Matched = o.FilterGiven, &matched
		if in.Filter == nil {
			in.Filter = map[string]string{"all": "true"}
		}
	}
	params := map[string]string{}
	if act.toTopic != "" {
		params["to_topic"] = act.toTopic
	}
	if o.Rate > 0 {
		params["rate"] = strconv.FormatFloat(o.Rate, 'g', -1, 64)
	}
	if len(params) > 0 {
		in.Params = params
	}
	return in
}

// batchOutcome is the audit outcome of a batch from its result, or from
// the error when it produced none.
func batchOutcome(res *dlq.BatchResult, err error) audit.Outcome {
	if res == nil {
		return audit.OutcomeOf(err)
	}
	return audit.BatchOutcome(res.Succeeded, res.Failed, res.Refused, err)
}

// policyParams records the policy a set stored.
func policyParams(p dlq.Policy) map[string]string {
	return map[string]string{
		"strategy":    string(p.Strategy),
		"max_retries": strconv.Itoa(p.MaxRetries),
		"base_delay":  p.BaseDelay.String(),
		"max_delay":   p.MaxDelay.String(),
		"multiplier":  strconv.FormatFloat(p.Multiplier, 'g', -1, 64),
		"jitter":      strconv.FormatFloat(p.Jitter, 'g', -1, 64),
	}
}
