#!/usr/bin/env bash
# The whole test suite from a fresh machine: setup (dependencies, PostgreSQL + pgvector, Redis,
# migrations), then typecheck, lint and every package's tests against the real services.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
pnpm typecheck
pnpm lint
pnpm test
