#!/usr/bin/env bash
# `make bench`: seed a large trust on PostgreSQL and measure the key pages, the sweep, an import and the PDFs.
# Uses $DATABASE_URL if set (it must be PostgreSQL); otherwise starts a throw-away PostgreSQL 15 cluster
# in a temporary directory (as root, like CI) and removes it afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SCHOOLS=${BENCH_SCHOOLS:-50}
PUPILS=${BENCH_PUPILS_PER_SCHOOL:-1000}
PGDIR=""
cleanup() {
    if [ -n "$PGDIR" ]; then
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1 || true
        rm -rf "$PGDIR"
    fi
}
trap cleanup EXIT
if [ -z "${DATABASE_URL:-}" ]; then
    command -v pg_ctl >/dev/null 2>&1 || export PATH="/usr/lib/postgresql/15/bin:$PATH"
    PGBIN=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
    PGDIR=$(mktemp -d)
    chown postgres:postgres "$PGDIR"
    runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres >/dev/null
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w start \
        -o "-p 55433 -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c shared_buffers=512MB" >/dev/null
    createdb -h 127.0.0.1 -p 55433 -U postgres sendbench
    export DATABASE_URL=postgres://postgres@127.0.0.1:55433/sendbench
fi
case "$DATABASE_URL" in postgres*) ;; *) echo "make bench needs PostgreSQL (DATABASE_URL=postgres://...)"; exit 2;; esac
export EMAIL_FILE_PATH=${EMAIL_FILE_PATH:-$(mktemp -d)}
.venv/bin/python manage.py migrate --noinput -v0
/usr/bin/time -f "seed_scale: %e s, %M KB" .venv/bin/python manage.py seed_scale --schools "$SCHOOLS" --pupils-per-school "$PUPILS"
.venv/bin/python bench/run.py "$@"
