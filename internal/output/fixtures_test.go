package output

import "time"

func sampleJobs() jobList {
	finished := testNow.Add(-90 * time.Second)
	return jobList{
		{ID: "j-001", Name: "orders-replay", Status: "running", Created: testNow.Add(-3 * time.Minute), Events: 4500, Tags: []string{"prod"}},
		{ID: "j-002", Name: "payments-backfill-eu-west-1-with-a-very-long-name", Status: "failed", Created: testNow.Add(-5 * time.Hour), Finished: &finished, Error: "broker unavailable", Events: 12},
		{ID: "j-003", Name: "日本語ジョブ", Status: "cancelled", Created: testNow.Add(-50 * time.Hour), Events: 0},
		{ID: "j-004", Name: "tabs\tand\nnewlines", Status: "mystery", Created: time.Time{}, Events: 7},
	}
}

func sampleDetail() jobDetail {
	j := sampleJobs()[1]
	return jobDetail{job: j, Attempts: attempts{
		{N: 1, Result: "failed", Note: "timeout after 30s"},
		{N: 2, Result: "retried"},
	}}
}
