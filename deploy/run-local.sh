#!/usr/bin/env bash
# `make run`: the worker on the local broker, the sample articles through it, and the enriched
# articles printed as they arrive. Ctrl-C stops the worker and the broker.
set -euo pipefail
cd "$(dirname "$0")/.."
khabar=.venv/bin/khabar
state=${KHABAR_STATE_DIR:-.state}
mkdir -p "$state"

"$khabar" kafka up
"$khabar" worker --loglevel warning >"$state/worker.log" 2>&1 &
worker=$!

stop() {
  trap - INT TERM EXIT
  echo; echo "stopping the worker and the broker…"
  [ -z "${consumer:-}" ] || kill -TERM "$consumer" 2>/dev/null || true
  kill -TERM "$worker" 2>/dev/null && wait "$worker" 2>/dev/null || true
  "$khabar" kafka down
}
trap stop INT TERM EXIT

echo "worker started (pid $worker, log $state/worker.log, metrics http://localhost:${KHABAR_WEB_PORT:-6066}/metrics)"
"$khabar" publish samples/
echo "enriched articles as they arrive on ${KHABAR_TOPIC_ENRICHED:-news.articles.enriched} (Ctrl-C to stop):"
"$khabar" consume "${KHABAR_TOPIC_ENRICHED:-news.articles.enriched}" --from-beginning --format pretty &
consumer=$!
while kill -0 "$worker" 2>/dev/null && kill -0 "$consumer" 2>/dev/null; do sleep 1; done
if ! kill -0 "$worker" 2>/dev/null; then
  echo "the worker stopped; the end of its log:" >&2
  tail -n 20 "$state/worker.log" >&2
  exit 1
fi
