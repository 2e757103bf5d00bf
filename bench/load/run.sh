#!/usr/bin/env bash
# `make load`: the production configuration under simulated people, ramped in steps until it saturates.
#
# A throw-away PostgreSQL 15 and Redis on loopback (or yours, see below); a fresh database where an owner role
# migrates and an app role that owns nothing serves (row-level security applies), as in .ci/smoke/run.sh;
# seed_scale --schools $LOAD_SCHOOLS and the load test's own accounts (bench/load/accounts.py), both with the
# development settings (they refuse DEBUG off, rightly), then collectstatic and check --deploy with
# DJANGO_ENV=production. For each gunicorn setting in $LOAD_SERVERS (sync workers, gthread workers): gunicorn
# with the production settings unchanged (TLS with a throw-away self-signed certificate, so the HTTPS redirect,
# HSTS and secure cookies stay on; CONN_MAX_AGE=60, persistent connections, the production default), locust
# headless on bench/load/locustfile.py (people sign in for real, second factor included, and work with think
# time), and bench/load/sampler.py beside it. Then bench/load/summary.py writes bench/results/load.md,
# load.json and load.svg. Loopback only; the whole run is bounded by LOAD_BUDGET_SECONDS (default 720).
#
# Environment (all optional):
#   LOAD_PG_URL       a PostgreSQL superuser URL to use instead of a throw-away cluster (e.g.
#                     postgres://postgres@127.0.0.1:55432/postgres; trust auth; the sampler then counts the
#                     CPU of the whole cluster); LOAD_PG_PORT for the throw-away one (default 55434)
#   LOAD_REDIS_URL    a Redis to use (FLUSHDB'd) instead of a throw-away one on LOAD_REDIS_PORT (default 6390)
#   LOAD_WEB_PORT     gunicorn's port (default: a free one)
#   LOAD_SCHOOLS, LOAD_PUPILS_PER_SCHOOL   the seed_scale trust (default 10 schools of 1,000 pupils)
#   LOAD_SERVERS      which settings to measure, of "sync gthread" (default both)
#   LOAD_SYNC_WORKERS (default 5), LOAD_GTHREAD_WORKERS (default 3), LOAD_GTHREAD_THREADS (default 4)
#   LOAD_STEPS, LOAD_STEP_SECONDS, LOAD_SETTLE_SECONDS, LOAD_SPAWN_RATE, LOAD_P95_MS, LOAD_WARMUP_SECONDS:
#                     see bench/load/locustfile.py
#   LOCUST            the locust executable (default .venv/bin/locust; `pip install -e '.[dev]'` installs it)
#   LOAD_RESULTS      where the results go (default bench/results)
#   LOAD_KEEP=1       keep the working folder (logs, accounts, raw CSVs) and, on LOAD_PG_URL, the database
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
PY=${PY:-$ROOT/.venv/bin/python}
BIN=$(dirname "$PY")
LOCUST=${LOCUST:-$BIN/locust}
BUDGET=${LOAD_BUDGET_SECONDS:-720}
SERVERS=${LOAD_SERVERS:-sync gthread}
RESULTS=${LOAD_RESULTS:-$ROOT/bench/results}
export LOAD_STEPS=${LOAD_STEPS:-5,10,15,20,30,40,60,80,100,130,160}
export LOAD_STEP_SECONDS=${LOAD_STEP_SECONDS:-35}
export LOAD_SETTLE_SECONDS=${LOAD_SETTLE_SECONDS:-5}
export LOAD_P95_MS=${LOAD_P95_MS:-300}
DB=sendload
OWNER=${DB}_owner
APP=${DB}_app

WORK=$(mktemp -d "${TMPDIR:-/tmp}/send-load.XXXXXX")
LOGS=$WORK/logs
mkdir -p "$LOGS" "$WORK/static" "$WORK/media" "$WORK/mail"
PGDIR=""
REDIS_PID=""
STARTED=()  # process-group ids of gunicorn, locust and the sampler

say() { echo "--- load [${SECONDS}s]: $*"; }

stop_group() {  # pgid: TERM, then KILL after 10 s
    kill -TERM -- "-$1" 2>/dev/null || return 0
    for _ in $(seq 1 50); do kill -0 -- "-$1" 2>/dev/null || return 0; sleep 0.2; done
    kill -KILL -- "-$1" 2>/dev/null || true
}

cleanup() {
    local rc=$? i
    set +e
    for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do stop_group "${STARTED[i]}"; done
    if [ -n "$PGDIR" ]; then
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1
        rm -rf "$PGDIR"
    elif [ -n "${PSQL:-}" ] && [ "${LOAD_KEEP:-0}" != 1 ]; then
        "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP ROLE IF EXISTS $APP" \
            -c "DROP ROLE IF EXISTS $OWNER" >/dev/null 2>&1
    fi
    if [ -n "$REDIS_PID" ]; then
        kill "$REDIS_PID" 2>/dev/null
    elif [ -n "${LOAD_REDIS_URL:-}" ]; then
        redis-cli -u "$LOAD_REDIS_URL" flushdb >/dev/null 2>&1
    fi
    if [ "$rc" -ne 0 ]; then
        for log in "$LOGS"/*.log; do [ -e "$log" ] && { echo "---- last 30 lines of $(basename "$log")"; tail -n 30 "$log"; }; done
    fi
    if [ "${LOAD_KEEP:-0}" = 1 ]; then echo "note: kept $WORK"; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() {  # name, command...: in its own process group, logging to $LOGS/name.log
    local name=$1
    shift
    setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
    STARTED+=("$!")
}

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

[ -x "$LOCUST" ] || { echo "error: no locust at $LOCUST (pip install -e '.[dev]', or set LOCUST)" >&2; exit 2; }

# ---------------------------------------------------------------- PostgreSQL and Redis on loopback
if [ -n "${LOAD_PG_URL:-}" ]; then
    PG_URL=$LOAD_PG_URL
else
    command -v pg_ctl >/dev/null 2>&1 || export PATH="/usr/lib/postgresql/15/bin:$PATH"
    PGBIN=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
    PGDIR=$(mktemp -d)
    chown postgres:postgres "$PGDIR"
    PGPORT_=${LOAD_PG_PORT:-55434}
    say "throw-away PostgreSQL on 127.0.0.1:$PGPORT_"
    runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres >/dev/null
    # fsync off: a throw-away cluster (the figures are for the web tier, not the disk).
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w start -o "-p $PGPORT_ -k $PGDIR \
        -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c shared_buffers=256MB" >/dev/null
    PG_URL=postgres://postgres@127.0.0.1:$PGPORT_/postgres
fi
PSQL=(env PGOPTIONS="-c client_min_messages=warning" psql "$PG_URL" -v ON_ERROR_STOP=1 -q -X)
PG_HOSTPORT=$(echo "$PG_URL" | sed -E 's#^postgres(ql)?://[^@]*@([^/]+)/.*#\2#')
if [ -n "${LOAD_REDIS_URL:-}" ]; then
    REDIS_URL_=$LOAD_REDIS_URL
else
    REDIS_PORT_=${LOAD_REDIS_PORT:-6390}
    redis-server --port "$REDIS_PORT_" --bind 127.0.0.1 --save '' --appendonly no >"$LOGS/redis.log" 2>&1 &
    REDIS_PID=$!
    REDIS_URL_=redis://127.0.0.1:$REDIS_PORT_/0
    for _ in $(seq 1 50); do redis-cli -u "$REDIS_URL_" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
redis-cli -u "$REDIS_URL_" flushdb >/dev/null

"${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP ROLE IF EXISTS $APP" -c "DROP ROLE IF EXISTS $OWNER"
"${PSQL[@]}" -c "CREATE ROLE $OWNER LOGIN" -c "CREATE ROLE $APP LOGIN" -c "CREATE DATABASE $DB OWNER $OWNER"
OWNER_URL=postgres://$OWNER@$PG_HOSTPORT/$DB
APP_URL=postgres://$APP@$PG_HOSTPORT/$DB

# ---------------------------------------------------------------- production settings (as the smoke test)
export DJANGO_ENV=production
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export CELERY_BROKER_URL=$REDIS_URL_
export CACHE_URL=$REDIS_URL_
export EMAIL_URL=smtp://127.0.0.1:9  # no mail is sent here: nothing the simulated people do emails anyone
export STATIC_ROOT=$WORK/static
export MEDIA_ROOT=$WORK/media
export DATABASE_URL=$APP_URL
export TRUSTED_PROXY_COUNT=1  # as .env.example: each simulated person's address comes in X-Forwarded-For
export LOG_LEVEL=WARNING  # one line per request would cost the web tier more than the pages
unset DEBUG MFA_REQUIRED SECURE_SSL_REDIRECT CSRF_TRUSTED_ORIGINS EMAIL_FILE_PATH
as_owner() { DATABASE_URL=$OWNER_URL "$PY" manage.py "$@" </dev/null; }
# seed_scale and the accounts refuse production settings: the development ones, on this throw-away database.
as_seeder() { env -u DJANGO_ENV DEBUG=true EMAIL_FILE_PATH="$WORK/mail" DATABASE_URL=$OWNER_URL "$PY" "$@" </dev/null; }

say "migrate (owner), collectstatic alongside"
"$PY" manage.py collectstatic --noinput </dev/null >"$LOGS/collectstatic.log" 2>&1 &
COLLECT=$!
as_owner migrate --noinput -v0
as_owner grant_app_role --role "$APP" >/dev/null
wait "$COLLECT"
say "seed_scale --schools ${LOAD_SCHOOLS:-10} --pupils-per-school ${LOAD_PUPILS_PER_SCHOOL:-1000}; load accounts"
as_seeder manage.py seed_scale --schools "${LOAD_SCHOOLS:-10}" --pupils-per-school "${LOAD_PUPILS_PER_SCHOOL:-1000}" \
    | tail -n 1
as_seeder bench/load/accounts.py --per-role "${LOAD_ACCOUNTS_PER_ROLE:-80}" --out "$WORK/accounts.json"
psql "${PG_URL%/*}/$DB" -v ON_ERROR_STOP=1 -q -X -c "VACUUM ANALYZE"
"$PY" manage.py check --deploy --fail-level WARNING </dev/null

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1
WEB_PORT=${LOAD_WEB_PORT:-$(free_port)}
BASE_URL=https://127.0.0.1:$WEB_PORT

# ---------------------------------------------------------------- each gunicorn setting, ramped
read -r -a SERVER_LIST <<<"$SERVERS"
RUNS=()
for i in "${!SERVER_LIST[@]}"; do
    server=${SERVER_LIST[i]}
    case "$server" in
        sync) ARGS=(--worker-class sync --workers "${LOAD_SYNC_WORKERS:-5}") ;;
        gthread) ARGS=(--worker-class gthread --workers "${LOAD_GTHREAD_WORKERS:-3}" --threads "${LOAD_GTHREAD_THREADS:-4}") ;;
        *) echo "error: LOAD_SERVERS takes sync and gthread, not $server" >&2; exit 2 ;;
    esac
    OUT=$WORK/$server
    mkdir -p "$OUT"
    echo "gunicorn ${ARGS[*]}" >"$OUT/server.txt"
    start "web-$server" "$BIN/gunicorn" config.wsgi:application --bind "127.0.0.1:$WEB_PORT" "${ARGS[@]}" \
        --certfile "$WORK/cert.pem" --keyfile "$WORK/key.pem" --no-control-socket --error-logfile -
    WEB_PGID=${STARTED[-1]}
    deadline=$((SECONDS + 60))
    until [ "$(curl -ks -o /dev/null -w '%{http_code}' "$BASE_URL/healthz")" = 200 ]; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "error: gunicorn ($server) not ready after 60 s" >&2; exit 1; }
        sleep 0.5
    done
    # The rest of the budget, shared by the settings still to run (30 s kept for the summary and cleanup).
    left=$(((BUDGET - SECONDS - 30) / (${#SERVER_LIST[@]} - i)))
    [ "$left" -gt 60 ] || { echo "error: no time left in LOAD_BUDGET_SECONDS=$BUDGET for $server" >&2; exit 1; }
    say "$server ($(cat "$OUT/server.txt")): steps of $LOAD_STEPS users, ${LOAD_STEP_SECONDS} s each, at most ${left} s"
    LOAD_ACCOUNTS=$WORK/accounts.json LOAD_OUT=$OUT LOAD_MAX_SECONDS=$left start "locust-$server" "$LOCUST" -f bench/load/locustfile.py \
        --headless -H "$BASE_URL" --stop-timeout 5 --only-summary --loglevel WARNING
    LOCUST_PGID=${STARTED[-1]}
    start "sampler-$server" "$PY" bench/load/sampler.py --pg-url "$PG_URL" --db "$DB" --gunicorn-pgid "$WEB_PGID" \
        --locust-pgid "$LOCUST_PGID" --out "$OUT/samples.csv"
    SAMPLER_PGID=${STARTED[-1]}
    while kill -0 "$LOCUST_PGID" 2>/dev/null; do sleep 1; done  # the pid (its group may not exist yet)
    grep -E "^step " "$LOGS/locust-$server.log" || true
    if [ "$(wc -l <"$OUT/steps.csv" 2>/dev/null || echo 0)" -lt 2 ]; then
        echo "error: locust ($server) finished no step" >&2
        exit 1
    fi
    stop_group "$SAMPLER_PGID"
    stop_group "$WEB_PGID"
    if grep -Ew "Traceback|CRITICAL" "$LOGS/web-$server.log"; then
        echo "error: gunicorn ($server) logged a traceback (above)" >&2
        exit 1
    fi
    RUNS+=(--run "$server=$OUT")
    redis-cli -u "$REDIS_URL_" flushdb >/dev/null  # sessions and caches start empty for the next setting
done

say "summary -> $RESULTS"
"$PY" bench/load/summary.py "${RUNS[@]}" --out "$RESULTS" --settle "$LOAD_SETTLE_SECONDS" --p95 "$LOAD_P95_MS" \
    --data "seed_scale trust of ${LOAD_SCHOOLS:-10} schools x ${LOAD_PUPILS_PER_SCHOOL:-1000} pupils"
say "done"
