#!/usr/bin/env bash
# Demo tour, replay part: preview a filter, run a replay to Kafka and verify
# the topics hold every selected event, inspect it.
set -euo pipefail
: "${BIN:?BIN must name the replayctl binary}"
run() { printf '$ %s\n' "$*"; "$@"; }

run "$BIN" --context dev replay preview --type execution_completed --type execution_failed --since 7d --sample 1
run "$BIN" --context dev replay run --type execution_completed --type execution_failed --since 7d --batch-size 500 --verify
run "$BIN" --context dev replay list --limit 5
id=$("$BIN" --context dev replay list --limit 1 -o json | sed -n 's/.*"session_id": *"\([^"]*\)".*/\1/p' | head -n 1)
run "$BIN" --context dev replay show "${id:0:8}"
