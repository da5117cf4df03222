#!/usr/bin/env bash
# Brings the whole platform up on this machine: setup and migrations, the four services and their
# workers through turbo, then the demo data. Vendor keys in the environment switch each part from its
# embedded default (see README); without them everything runs locally.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

pnpm exec turbo run start start:worker --concurrency=20 --log-order=stream --output-logs=new-only &
platform=$!
trap 'kill -TERM "$platform" 2>/dev/null; wait "$platform"' INT TERM

services=("gateway:${GATEWAY_URL:-http://127.0.0.1:3000}" "search-service:${SEARCH_SERVICE_URL:-http://127.0.0.1:3001}"
  "ai-service:${AI_SERVICE_URL:-http://127.0.0.1:3002}" "billing-service:${BILLING_SERVICE_URL:-http://127.0.0.1:3003}")
for entry in "${services[@]}"; do
  name=${entry%%:*}; url=${entry#*:}
  for _ in $(seq 1 120); do
    curl -fsS "$url/readyz" >/dev/null 2>&1 && break
    kill -0 "$platform" 2>/dev/null || { echo "the platform stopped while starting" >&2; exit 1; }
    sleep 1
  done
  curl -fsS "$url/readyz" >/dev/null 2>&1 || { echo "$name is not ready at $url/readyz" >&2; exit 1; }
done

if [ -f scripts/demo/seed-demo.ts ]; then
  pnpm exec tsx scripts/demo/seed-demo.ts || echo "demo seed failed; the platform is up without demo data" >&2
fi

cat <<URLS

  The platform is up (Ctrl-C stops it):
    gateway          ${GATEWAY_URL:-http://127.0.0.1:3000}   public API under /v1, OpenAPI docs at /docs
    search-service   ${SEARCH_SERVICE_URL:-http://127.0.0.1:3001}
    ai-service       ${AI_SERVICE_URL:-http://127.0.0.1:3002}
    billing-service  ${BILLING_SERVICE_URL:-http://127.0.0.1:3003}
    every service:   /healthz  /readyz  /metrics (the gateway's on its private METRICS_PORT only: see "metrics listening" in its log)
  A development token for org_demo is printed in the gateway's log above; mint more with
    pnpm run token --org org_demo --role admin --plan growth

URLS
wait "$platform"
