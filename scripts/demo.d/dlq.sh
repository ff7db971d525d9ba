#!/usr/bin/env bash
# Demo tour, DLQ part: summarise the queue, find the causes, retry some messages.
set -euo pipefail
: "${BIN:?BIN must name the replayctl binary}"
run() { printf '$ %s\n' "$*"; "$@"; }

run "$BIN" --context dev dlq topics
run "$BIN" --context dev dlq errors --limit 5
run "$BIN" --context dev dlq list --status pending --limit 5
run "$BIN" --context dev dlq retry --all --status pending --dry-run
run "$BIN" --context dev dlq retry --all --status pending --yes
run "$BIN" --context dev dlq topics
