#!/usr/bin/env bash
# Logical backup of the platform database: pg_dump custom format (compressed, restorable table by
# table with pg_restore), verified, checksummed, then old backups pruned.
#
#   infra/scripts/backup.sh [DATABASE_URL]
#
# Connection: the argument, else BACKUP_DATABASE_URL, else MIGRATION_DATABASE_URL (the owner: it can
# read every schema, including tables under row level security). Settings:
#   BACKUP_DIR             where dumps go                          (default ./backups)
#   BACKUP_PREFIX          file name prefix                        (default mna)
#   BACKUP_RETENTION_DAYS  delete dumps older than this many days  (default 14)
#   BACKUP_KEEP_MIN        always keep at least this many newest   (default 7)
# Prints the path of the new dump on stdout; everything else goes to stderr.
set -euo pipefail

url="${1:-${BACKUP_DATABASE_URL:-${MIGRATION_DATABASE_URL:-}}}"
dir="${BACKUP_DIR:-./backups}"
prefix="${BACKUP_PREFIX:-mna}"
retention_days="${BACKUP_RETENTION_DAYS:-14}"
keep_min="${BACKUP_KEEP_MIN:-7}"

log() { printf '[backup] %s\n' "$*" >&2; }
if [ -z "$url" ]; then
  echo "usage: $0 DATABASE_URL (or set BACKUP_DATABASE_URL)" >&2
  exit 2
fi
mkdir -p "$dir"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
file="$dir/$prefix-$stamp.dump"
partial="$dir/.$prefix-$stamp.dump.partial"
trap 'rm -f "$partial"' EXIT

log "dumping to $file"
pg_dump --dbname="$url" --format=custom --compress=6 --file="$partial"
# A dump that pg_restore cannot list is not a backup: fail before it replaces anything.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$file"
(cd "$dir" && sha256sum "$(basename "$file")" >"$(basename "$file").sha256")
log "done: $(du -h "$file" | cut -f1)"

# Retention: dumps sort by their UTC timestamp; the newest $keep_min stay whatever their age.
mapfile -t dumps < <(find "$dir" -maxdepth 1 -type f -name "$prefix-*.dump" -printf '%f\n' | sort -r)
for name in "${dumps[@]:$keep_min}"; do
  if [ -n "$(find "$dir/$name" -mtime +"$retention_days")" ]; then
    log "retention: removing $name (older than $retention_days days)"
    rm -f "$dir/$name" "$dir/$name.sha256"
  fi
done

printf '%s\n' "$file"
