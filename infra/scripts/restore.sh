#!/usr/bin/env bash
# Restores a dump written by backup.sh into an existing database (empty, or one to overwrite).
#
#   infra/scripts/restore.sh DUMP_FILE [DATABASE_URL]
#
# Connection: the argument, else RESTORE_DATABASE_URL (the owner of the target database). The
# application role named in the dump's grants (mna_app) must exist on the target server first; see
# infra/RUNBOOK.md. The checksum beside the dump is verified; the restore is one transaction, so it
# either completes or leaves the target as it was. Objects are owned by the connecting role.
set -euo pipefail

dump="${1:-}"
url="${2:-${RESTORE_DATABASE_URL:-}}"
log() { printf '[restore] %s\n' "$*" >&2; }
if [ -z "$dump" ] || [ -z "$url" ]; then
  echo "usage: $0 DUMP_FILE DATABASE_URL (or set RESTORE_DATABASE_URL)" >&2
  exit 2
fi
if [ ! -f "$dump" ]; then
  echo "no such dump: $dump" >&2
  exit 2
fi

if [ -f "$dump.sha256" ]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256")
  log "checksum verified"
else
  log "no checksum file beside the dump: restoring unverified"
fi

log "restoring $(basename "$dump")"
pg_restore --dbname="$url" --clean --if-exists --no-owner --exit-on-error --single-transaction "$dump"
log "done"
