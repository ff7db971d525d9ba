// Package worker is `replayctl worker`: one long-running process that runs
// replay sessions nobody else runs (detached starts, resumes, sessions whose
// runner died) and the DLQ processor, and serves /healthz, /readyz and
// /metrics for its supervisor (systemd, Kubernetes) and for Prometheus.
//
// Several workers share one database and cluster safely because the domain
// packages coordinate: a session is run under a lease (replay), DLQ topic
// partitions are split by the consumer group, and due retries are claimed
// before they are sent (dlq). This package only decides what to start, how
// many at once, how to back off when a server is away, and how to stop:
// on shutdown it stops taking work, lets every Run checkpoint and release
// its lease (the session stays running so another worker continues it at
// once), lets the DLQ processor commit, then stops the HTTP server.
package worker
