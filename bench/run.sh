#!/usr/bin/env bash
# `make bench`: seed a large trust on PostgreSQL and measure the key pages, the sweep, an import and the PDFs.
# Uses $DATABASE_URL if set (it must be PostgreSQL); otherwise starts a throw-away PostgreSQL 15 cluster
# in a temporary directory (as root, like CI) and removes it afterwards.
#
# BENCH_SCALE=national: 200 trusts and 1,000,000 pupils (BENCH_TRUSTS, BENCH_PUPILS_TOTAL to scale it down).
# The 50-school trust is seeded first and each page's query count taken at that size (counts.json); then
# the other trusts, and the pages, the cold trust dashboard and the catch-up sweep on two Celery workers on
# Redis (a throw-away redis-server unless CELERY_BROKER_URL is set) go to bench/results/national.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SCHOOLS=${BENCH_SCHOOLS:-50}
PUPILS=${BENCH_PUPILS_PER_SCHOOL:-1000}
SCALE=${BENCH_SCALE:-trust}
PY=${BENCH_PYTHON:-.venv/bin/python}
PG_PORT=${BENCH_PG_PORT:-55433}
REDIS_PORT=${BENCH_REDIS_PORT:-6390}
PGDIR=""
REDIS_STARTED=0
cleanup() {
    if [ "$REDIS_STARTED" = 1 ]; then
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
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
        -o "-p $PG_PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c shared_buffers=512MB -c max_wal_size=8GB" >/dev/null
    createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres sendbench
    export DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/sendbench
fi
case "$DATABASE_URL" in postgres*) ;; *) echo "make bench needs PostgreSQL (DATABASE_URL=postgres://...)"; exit 2;; esac
export EMAIL_FILE_PATH=${EMAIL_FILE_PATH:-$(mktemp -d)}
"$PY" manage.py migrate --noinput -v0
/usr/bin/time -f "seed_scale: %e s, %M KB" "$PY" manage.py seed_scale --schools "$SCHOOLS" --pupils-per-school "$PUPILS"
if [ "$SCALE" = national ]; then
    if [ -z "${CELERY_BROKER_URL:-}" ]; then
        command -v redis-server >/dev/null 2>&1 || apt-get install -y -q redis-server
        redis-server --daemonize yes --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no
        REDIS_STARTED=1
        for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done
        export CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/0
    fi
    export BENCH_SCALE=national
    # Each page's query count with the 50-school trust alone (50,000 pupils), before the others are added.
    "$PY" bench/run.py --counts-only
    /usr/bin/time -f "seed_scale --trusts: %e s, %M KB" "$PY" manage.py seed_scale --trusts "${BENCH_TRUSTS:-200}" \
        --pupils-total "${BENCH_PUPILS_TOTAL:-1000000}" --schools "$SCHOOLS" --pupils-per-school "$PUPILS"
    psql "$DATABASE_URL" -q -c "VACUUM ANALYZE"  # as autovacuum would by the time anyone signs in
fi
"$PY" bench/run.py "$@"
