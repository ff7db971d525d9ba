#!/usr/bin/env bash
# A scripted tour of replayctl on the embedded stack. It uses a private config
# file, data directory and free ports, so it never touches your own setup, and
# it shuts the stack down and exits on its own.
set -euo pipefail

BIN=${1:-bin/replayctl}
work=$(mktemp -d)
export REPLAYCTL_CONFIG="$work/config.yaml"
export XDG_STATE_HOME="$work/state"
unset REPLAYCTL_CONTEXT REPLAYCTL_MONGO_URI REPLAYCTL_KAFKA_BROKERS REPLAYCTL_DATABASE REPLAYCTL_TOPIC_PREFIX

# Port 0 picks free ports; `dev` writes the real addresses into the dev context.
mongo_addr="127.0.0.1:0"
kafka_addr="127.0.0.1:0"

dev_pid=""
cleanup() {
  if [ -n "$dev_pid" ] && kill -0 "$dev_pid" 2>/dev/null; then
    kill -TERM "$dev_pid" 2>/dev/null || true
    wait "$dev_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Start the embedded platform (FerretDB + kfake) with 2000 seeded events"
"$BIN" dev --fresh --seed 2000 --mongo-addr "$mongo_addr" --kafka-addr "$kafka_addr" >"$work/dev.log" 2>&1 &
dev_pid=$!
for _ in $(seq 1 600); do
  grep -q "Press Ctrl-C" "$work/dev.log" 2>/dev/null && break
  kill -0 "$dev_pid" 2>/dev/null || { cat "$work/dev.log"; echo "dev stack exited early" >&2; exit 1; }
  sleep 0.1
done
cat "$work/dev.log"

step "Check connectivity and what the platform holds"
run "$BIN" --context dev status

if [ -x "$(dirname "$0")/demo.d/replay.sh" ] && "$BIN" replay --help >/dev/null 2>&1; then
  step "Replay"
  BIN="$BIN" "$(dirname "$0")/demo.d/replay.sh"
fi
if [ -x "$(dirname "$0")/demo.d/jobs.sh" ] && "$BIN" dlq jobs --help >/dev/null 2>&1; then
  step "A redrive job, created detached and finished by a worker"
  BIN="$BIN" "$(dirname "$0")/demo.d/jobs.sh"
fi
if [ -x "$(dirname "$0")/demo.d/dlq.sh" ] && "$BIN" dlq --help >/dev/null 2>&1; then
  step "Dead-letter queue"
  BIN="$BIN" "$(dirname "$0")/demo.d/dlq.sh"
fi

step "Stop the embedded platform"
kill -TERM "$dev_pid"
wait "$dev_pid"
dev_pid=""
tail -n 1 "$work/dev.log"
echo "Demo finished."
if "$BIN" ui --help >/dev/null 2>&1; then
  echo
  echo "To watch a dev stack live in the terminal dashboard:"
  echo "  $BIN dev --seed 20000 &    # then, once it says Press Ctrl-C:"
  echo "  $BIN --context dev ui"
fi
