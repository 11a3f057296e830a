#!/usr/bin/env bash
# `make run`: the worker on the local broker, the sample articles through it, and the enriched
# articles printed as they arrive. Ctrl-C stops the worker and the broker.
set -euo pipefail
cd "$(dirname "$0")/.."
khabar=.venv/bin/khabar
state=${KHABAR_STATE_DIR:-.state}
mkdir -p "$state"

web_port=${KHABAR_WEB_PORT:-6066}
prometheus_port=${KHABAR_PROMETHEUS_PORT:-9090}

"$khabar" kafka up
"$khabar" worker --loglevel warning >"$state/worker.log" 2>&1 &
worker=$!

stop() {
  trap - INT TERM EXIT
  echo; echo "stopping the worker, Prometheus and the broker…"
  [ -z "${consumer:-}" ] || kill -TERM "$consumer" 2>/dev/null || true
  [ -z "${prometheus:-}" ] || kill -TERM "$prometheus" 2>/dev/null || true
  kill -TERM "$worker" 2>/dev/null && wait "$worker" 2>/dev/null || true
  "$khabar" kafka down
}
trap stop INT TERM EXIT

echo "worker started (pid $worker, log $state/worker.log, metrics http://localhost:$web_port/metrics)"

# A real Prometheus when one is installed (Debian: apt-get install prometheus), with the prometheus.yml
# and alerts.yml docker-compose uses; workers.json names this worker. Its data stays under the state dir.
if command -v prometheus >/dev/null; then
  prom_dir="$state/prometheus"
  mkdir -p "$prom_dir"
  cp deploy/prometheus/prometheus.yml deploy/prometheus/alerts.yml "$prom_dir/"
  echo "[{\"targets\": [\"localhost:$web_port\"], \"labels\": {\"deployment\": \"native\"}}]" >"$prom_dir/workers.json"
  prometheus --config.file="$prom_dir/prometheus.yml" --storage.tsdb.path="$prom_dir/data" \
    --storage.tsdb.retention.time=2d --web.listen-address="localhost:$prometheus_port" \
    >"$state/prometheus.log" 2>&1 &
  prometheus=$!
  sleep 1
  if kill -0 "$prometheus" 2>/dev/null; then
    echo "Prometheus at http://localhost:$prometheus_port (alerts: /alerts, log $state/prometheus.log)"
  else
    echo "Prometheus did not start (port $prometheus_port taken? set KHABAR_PROMETHEUS_PORT); see $state/prometheus.log" >&2
    prometheus=
  fi
else
  echo "no Prometheus installed (Debian: sudo apt-get install prometheus); the worker's metrics are still at /metrics"
fi
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
