#!/usr/bin/env bash
# One idempotent setup for a fresh machine, used by both README commands and by .ci/run:
#   pnpm (the version pinned in package.json) and the workspace's dependencies,
#   PostgreSQL and Redis running, the pgvector extension installable,
#   the database and its non-owner application role, and every service's migrations.
# Every address and credential can be overridden through the environment (see .env.example).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

: "${PGHOST:=127.0.0.1}"
: "${PGPORT:=5432}"
: "${PGSUPERUSER:=postgres}"
: "${APP_DB:=mna}"
: "${APP_DB_USER:=mna_app}"
: "${APP_DB_PASSWORD:=mna_app}"
: "${REDIS_HOST:=127.0.0.1}"
: "${REDIS_PORT:=6379}"

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
psql_super() { psql -h "$PGHOST" -p "$PGPORT" -U "$PGSUPERUSER" -v ON_ERROR_STOP=1 -qtA "$@"; }

ensure_pnpm() {
  local want
  want="$(node -p "require('./package.json').packageManager.split('@')[1]")"
  if ! command -v pnpm >/dev/null || [ "$(pnpm -v)" != "$want" ]; then
    log "installing pnpm $want"
    npm install -g "pnpm@$want" >/dev/null 2>&1
  fi
  log "installing workspace dependencies"
  local out
  out="$(mktemp)"
  if ! pnpm install --frozen-lockfile --reporter=append-only >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    exit 1
  fi
  rm -f "$out"
}

ensure_postgres() {
  if pg_isready -h "$PGHOST" -p "$PGPORT" -q; then return; fi
  log "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
  for _ in $(seq 1 30); do pg_isready -h "$PGHOST" -p "$PGPORT" -q && return; sleep 1; done
  echo "PostgreSQL did not become ready on $PGHOST:$PGPORT" >&2
  exit 1
}

# Server settings the services are sized and measured with (BENCHMARKS.md, Search and Platform): the
# HNSW index of 100k chunks (~200-400 MB) must stay in shared buffers, and the pools of every service
# and worker on one machine (7 processes x DATABASE_POOL_MAX 20) plus test suites must fit under
# max_connections (at 100 they did not: 53300 "too many clients"). Idempotent: ALTER SYSTEM only writes
# what differs, and the server restarts only when a changed setting needs it. PG_TUNE=0 leaves a
# managed or shared server alone.
# Huge pages for PostgreSQL's shared memory: every backend then maps the shared buffers in 2 MB pages,
# not 4 kB ones, so a new connection does not fault the HNSW index in page by page. Measured on this
# kind of VM (BENCHMARKS.md, Search): a fresh backend's first vector query 36 -> 9.5 ms, the
# 8-connection semantic query ceiling 90 -> 181 queries/s. huge_pages stays 'try', so where the kernel
# setting cannot be changed (a container) the server still starts, on normal pages.
reserve_huge_pages() {
  local buffers_mb="$1" page_kb want have
  page_kb="$(awk '/^Hugepagesize:/ {print $2}' /proc/meminfo)"
  [ -n "$page_kb" ] && [ "$page_kb" -gt 0 ] || return 0
  want=$(( buffers_mb * 1024 * 11 / 10 / page_kb + 32 )) # buffers + 10% for the rest of shared memory
  have="$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)"
  [ "$have" -ge "$want" ] && return 0
  if as_root sysctl -q -w vm.nr_hugepages="$want" >/dev/null 2>&1; then
    log "reserved $(cat /proc/sys/vm/nr_hugepages) huge pages for PostgreSQL's shared memory"
  else
    log "could not reserve huge pages (vm.nr_hugepages); PostgreSQL will use normal pages"
  fi
}

# True when huge pages are reserved but none is in use: the server started before they were reserved.
huge_pages_unused() {
  awk '/^HugePages_Total:/ {t=$2} /^HugePages_Free:/ {f=$2} /^HugePages_Rsvd:/ {r=$2}
    END {exit !(t > 0 && f == t && r == 0)}' /proc/meminfo
}

ensure_postgres_settings() {
  [ "${PG_TUNE:-1}" = "1" ] || return 0
  local mem_mb buffers_mb name value current pending cluster
  mem_mb="$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)"
  buffers_mb=$((mem_mb / 4)); [ "$buffers_mb" -gt 2048 ] && buffers_mb=2048
  while read -r name value; do
    current="$(psql_super -d postgres -c "select coalesce((select setting from pg_file_settings where name = '$name' and sourcefile like '%postgresql.auto.conf' order by seqno desc limit 1), '')")"
    if [ "$current" != "$value" ]; then
      log "PostgreSQL: $name = $value"
      psql_super -d postgres -c "alter system set $name = '$value'"
    fi
  done <<EOF_SETTINGS
max_connections 300
shared_buffers ${buffers_mb}MB
effective_cache_size $((mem_mb / 2))MB
maintenance_work_mem 1GB
work_mem 16MB
jit off
EOF_SETTINGS
  reserve_huge_pages "$buffers_mb"
  psql_super -d postgres -c 'select pg_reload_conf()' >/dev/null
  sleep 0.5
  pending="$(psql_super -d postgres -c 'select count(*) from pg_settings where pending_restart')"
  if [ "$pending" != "0" ] || huge_pages_unused; then
    cluster="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)"
    if [ -n "$cluster" ] && command -v pg_ctlcluster >/dev/null; then
      log "restarting PostgreSQL $cluster for settings that need it"
      # The server must not inherit this shell's descriptors (a caller's flock would be held forever).
      (
        for fd in /proc/$BASHPID/fd/*; do fd="${fd##*/}"; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
        as_root pg_ctlcluster --skip-systemctl-redirect "$cluster" main restart
      )
      for _ in $(seq 1 30); do pg_isready -h "$PGHOST" -p "$PGPORT" -q && return; sleep 1; done
      echo "PostgreSQL did not come back after the restart" >&2
      exit 1
    fi
    log "PostgreSQL needs a restart for pending settings; restart it yourself"
  fi
}

ensure_redis() {
  if redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1; then return; fi
  log "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 && return; sleep 1; done
  echo "Redis did not become ready on $REDIS_HOST:$REDIS_PORT" >&2
  exit 1
}

# BullMQ needs Redis to keep every key: an evicting policy silently loses jobs.
ensure_redis_noeviction() {
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" config set maxmemory-policy noeviction >/dev/null 2>&1 || true
}

vector_available() {
  [ "$(psql_super -d postgres -c "select count(*) from pg_available_extensions where name = 'vector'")" = "1" ]
}

# pgvector 0.8 is not in bookworm, but its source package is in trixie: build it against the running
# server. The deb-src line reuses the mirror URI the machine's own apt sources already name.
ensure_pgvector() {
  if vector_available; then return; fi
  local major mirror src_list workdir
  major="$(psql_super -d postgres -c 'show server_version_num' | cut -c1-2)"
  mirror="$( { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null || true; } \
    | awk '/^(URIs:|deb) / {for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\/.*\/debian\/?$/) {print $i; exit}}')"
  if [ -z "$mirror" ]; then
    echo "no Debian mirror found in the apt sources; cannot fetch the pgvector source package" >&2
    exit 1
  fi
  log "building pgvector for PostgreSQL $major from Debian trixie sources ($mirror)"
  src_list=/etc/apt/sources.list.d/pgvector-trixie-src.list
  echo "deb-src $mirror trixie main" | as_root tee "$src_list" >/dev/null

  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-server-dev-$major" build-essential dpkg-dev >/dev/null
  workdir="$(mktemp -d)"
  (cd "$workdir" && apt-get source -qq --download-only pgvector >/dev/null 2>&1 && dpkg-source -x --no-check ./pgvector_*.dsc src >/dev/null)
  (cd "$workdir/src" && make -s PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" OPTFLAGS="" >/dev/null \
    && as_root make -s PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" install >/dev/null)
  rm -rf "$workdir"
  vector_available || { echo "pgvector build finished but the extension is still unavailable" >&2; exit 1; }
}

# The services connect as a role that owns nothing and is no superuser: row level security binds it.
ensure_database() {
  log "database $APP_DB, application role $APP_DB_USER"
  if [ "$(psql_super -d postgres -c "select count(*) from pg_roles where rolname = '$APP_DB_USER'")" = "0" ]; then
    psql_super -d postgres -c "create role \"$APP_DB_USER\" login password '$APP_DB_PASSWORD' nosuperuser nocreatedb nocreaterole"
  fi
  if [ "$(psql_super -d postgres -c "select count(*) from pg_database where datname = '$APP_DB'")" = "0" ]; then
    psql_super -d postgres -c "create database \"$APP_DB\""
  fi
  psql_super -d "$APP_DB" -c "create extension if not exists vector"
}

run_migrations() {
  log "running migrations"
  pnpm --silent db:migrate
}

# --- infra tools (issue 7, @mna/infra) -------------------------------------------------------------
# promtool (Debian's prometheus package) checks the alert rules, scrape configs and /metrics output in
# infra's tests; pg_dump/pg_restore for the backup drill come with the PostgreSQL client already here.
# Only the tool is used: the package's Prometheus server is not run by anything here.
ensure_infra_tools() {
  if command -v promtool >/dev/null; then return; fi
  log "installing promtool (Debian package prometheus)"
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  command -v promtool >/dev/null || { echo "promtool is still missing after installing prometheus" >&2; exit 1; }
}

main() {
  ensure_postgres
  ensure_postgres_settings
  ensure_redis
  ensure_redis_noeviction
  ensure_pgvector
  ensure_pnpm
  ensure_infra_tools
  ensure_database
  if [ "${SETUP_SKIP_MIGRATIONS:-0}" != "1" ]; then run_migrations; fi
  log "ready"
}

main "$@"
