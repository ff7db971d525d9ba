#!/usr/bin/env bash
# Demo tour, redrive jobs: a detached retry that a worker finishes.
set -euo pipefail
: "${BIN:?BIN must name the replayctl binary}"
run() { printf '$ %s\n' "$*"; "$@"; }

printf '$ %s\n' "$BIN --context dev dlq retry --all --status pending --limit 20 --rate 20 --detach --reason demo --yes"
id=$("$BIN" --context dev dlq retry --all --status pending --limit 20 --rate 20 --detach --reason demo --yes)
run "$BIN" --context dev dlq jobs list
echo "\$ $BIN --context dev worker --replay=false --dlq=false --http-addr off &"
"$BIN" --context dev worker --replay=false --dlq=false --http-addr off --log-level warn &
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
run "$BIN" --context dev dlq jobs watch "${id:0:8}"
run "$BIN" --context dev dlq jobs show "${id:0:8}"
kill -TERM "$worker"
wait "$worker" || true
trap - EXIT
