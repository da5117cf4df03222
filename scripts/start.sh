#!/usr/bin/env bash
# Brings the whole platform up on this machine: setup, migrations, then the four services (and their
# workers) through turbo. Vendor keys in the environment switch each part from its embedded default.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
cat <<'URLS'

  gateway          http://127.0.0.1:3000   (public API under /v1, docs at /docs)
  search-service   http://127.0.0.1:3001
  ai-service       http://127.0.0.1:3002
  billing-service  http://127.0.0.1:3003
  every service:   /healthz  /readyz  /metrics

URLS
exec pnpm exec turbo run start --concurrency=20 --log-order=stream
