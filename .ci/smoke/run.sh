#!/usr/bin/env bash
# Production smoke test: the production configuration, started the way docker-compose.yml starts it, and one
# real person's first visit through it.
#
#   bash .ci/smoke/run.sh          (from .ci/run, or on its own against any PostgreSQL and Redis)
#
# A fresh database (an owner role migrates, an app role that owns nothing serves: row-level security applies),
# DJANGO_ENV=production with a generated SECRET_KEY, Redis as broker and cache, migrate, collectstatic,
# check --deploy; then gunicorn (2 workers, TLS with a throw-away self-signed certificate, so the production
# settings run unchanged: HTTPS redirect, HSTS, secure cookies), a Celery worker (-Q celery), a mailer (-Q email)
# and beat, each logging to a file, and a loopback SMTP server that keeps what it receives. A trust is onboarded
# from the test GIAS extract; the Playwright journey in tests/smoke/ opens the invitation from the real email,
# sets up the account and MFA, and checks the home page, headers, a hashed static file and a board report PDF
# rendered by the worker. Any failure fails the script, with the last 50 lines of every log.
#
# Environment (all optional):
#   SMOKE_PGHOST, SMOKE_PGPORT, SMOKE_PGUSER  a superuser connection (default 127.0.0.1, 55432, postgres; trust auth)
#   SMOKE_DB          database to create afresh (default send_smoke); roles <db>_owner and <db>_app
#   SMOKE_REDIS_URL   broker and cache (default redis://127.0.0.1:6379/5); FLUSHDB'd before and after
#   SMOKE_PIDS_FILE   a file to append the process-group ids of the servers to (for a caller's cleanup trap)
#   SMOKE_KEEP=1      keep the database and the working directory afterwards
#   SMOKE_RESTORE_DRILL=1  then run .ci/restore-drill.sh on the smoke database and its documents
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
PY=${PY:-$ROOT/.venv/bin/python}
BIN=$(dirname "$PY")

PGHOST_=${SMOKE_PGHOST:-127.0.0.1}
PGPORT_=${SMOKE_PGPORT:-55432}
PGUSER_=${SMOKE_PGUSER:-postgres}
DB=${SMOKE_DB:-send_smoke}
OWNER=${DB}_owner
APP=${DB}_app
REDIS_URL_=${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/5}
LEAD=lead@example.org
TRUST_CODE=TR04321
GIAS=tests/fixtures/gias/edubasealldata20261201.csv

WORK=$(mktemp -d "${TMPDIR:-/tmp}/send-smoke.XXXXXX")
LOGS=$WORK/logs
mkdir -p "$LOGS" "$WORK/mail"/{tmp,new,cur} "$WORK/media" "$WORK/static"

PSQL=(psql -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" -d postgres -v ON_ERROR_STOP=1 -q -X)
STARTED=()  # process-group ids of the servers, newest last
COLLECTSTATIC=""  # its pid while it runs alongside migrate
OK=0

say() { echo "--- smoke [${SECONDS}s]: $*"; }

drop_database() {
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP ROLE IF EXISTS $APP" \
        -c "DROP ROLE IF EXISTS $OWNER"
}

cleanup() {
    local rc=$?
    set +e
    trap - INT TERM
    local i pgid
    [ -z "$COLLECTSTATIC" ] || kill -TERM "$COLLECTSTATIC" 2>/dev/null
    # Newest first: web before workers, the mail server last (the mailer may be finishing a delivery).
    for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
        kill -TERM -- "-${STARTED[i]}" 2>/dev/null
    done
    for pgid in "${STARTED[@]}"; do
        for _ in $(seq 1 50); do
            kill -0 -- "-$pgid" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 -- "-$pgid" 2>/dev/null; then
            echo "warning: process group $pgid did not stop on TERM; killing it" >&2
            kill -KILL -- "-$pgid" 2>/dev/null
        fi
    done
    if [ "$OK" != 1 ]; then
        local log
        for log in "$LOGS"/*.log; do
            [ -e "$log" ] || continue
            echo "---- last 50 lines of $(basename "$log") ----"
            tail -n 50 "$log"
        done
        [ "$rc" -eq 0 ] && rc=1
    fi
    if [ "${SMOKE_KEEP:-0}" = 1 ]; then
        echo "note: kept database $DB and $WORK"
    else
        drop_database >/dev/null 2>&1 || echo "warning: could not drop database $DB" >&2
        redis-cli -u "$REDIS_URL_" flushdb >/dev/null 2>&1
        rm -rf "$WORK"
    fi
    if [ "$OK" = 1 ]; then say "passed"; else say "FAILED (exit $rc)"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Start a long-running process in its own process group (so stopping it stops its children too).
start() {
    local name=$1
    shift
    setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
    STARTED+=("$!")
    [ -z "${SMOKE_PIDS_FILE:-}" ] || echo "$!" >>"$SMOKE_PIDS_FILE"
}

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_for_log() {  # name, pattern, seconds
    local deadline=$((SECONDS + $3))
    until grep -q "$2" "$LOGS/$1.log" 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "error: $1 not ready after $3 s" >&2; return 1; }
        sleep 0.3
    done
}

# ---------------------------------------------------------------- database, broker, certificate
say "fresh database $DB (owner $OWNER migrates, app $APP serves)"
drop_database
"${PSQL[@]}" -c "CREATE ROLE $OWNER LOGIN" -c "CREATE ROLE $APP LOGIN" -c "CREATE DATABASE $DB OWNER $OWNER"
OWNER_URL=postgres://$OWNER@$PGHOST_:$PGPORT_/$DB
APP_URL=postgres://$APP@$PGHOST_:$PGPORT_/$DB
redis-cli -u "$REDIS_URL_" flushdb >/dev/null

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1
WEB_PORT=$(free_port)
SMTP_PORT=$(free_port)
BASE_URL=https://127.0.0.1:$WEB_PORT

# The production configuration, as .env.example describes it (nothing relaxed for the test).
export DJANGO_ENV=production
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export CELERY_BROKER_URL=$REDIS_URL_
export CACHE_URL=$REDIS_URL_
export EMAIL_URL=smtp://127.0.0.1:$SMTP_PORT
export DEFAULT_FROM_EMAIL="SEND casework <no-reply@send.example.org>"
export SITE_URL=$BASE_URL
export STATIC_ROOT=$WORK/static
export MEDIA_ROOT=$WORK/media
export DATABASE_URL=$APP_URL  # web and workers; the owner's URL is given only to migrate and operators' commands
unset DEBUG MFA_REQUIRED SECURE_SSL_REDIRECT CSRF_TRUSTED_ORIGINS TRUSTED_PROXY_COUNT EMAIL_FILE_PATH

as_owner() { DATABASE_URL=$OWNER_URL "$PY" manage.py "$@" </dev/null; }

# ---------------------------------------------------------------- the compose `migrate` job, then checks
say "migrate and grant_app_role (as the owner), collectstatic alongside"
"$PY" manage.py collectstatic --noinput </dev/null >"$LOGS/collectstatic.log" 2>&1 &
COLLECTSTATIC=$!
as_owner migrate --noinput >"$LOGS/migrate.log" 2>&1
as_owner grant_app_role --role "$APP" >>"$LOGS/migrate.log" 2>&1
wait "$COLLECTSTATIC" || { echo "error: collectstatic failed" >&2; exit 1; }
COLLECTSTATIC=""
say "check --deploy"
"$PY" manage.py check --deploy --fail-level WARNING </dev/null

# ---------------------------------------------------------------- the services
say "starting SMTP server :$SMTP_PORT, gunicorn $BASE_URL, worker, mailer, beat"
# A real SMTP server that stores each message it accepts in a Maildir (the journey reads the invitation there).
start smtp "$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$WORK/mail"
start web "$BIN/gunicorn" config.wsgi:application --bind "127.0.0.1:$WEB_PORT" --workers 2 \
    --certfile "$WORK/cert.pem" --keyfile "$WORK/key.pem" --no-control-socket --access-logfile - --error-logfile -
start worker "$BIN/celery" -A config worker -Q celery --pool=prefork --concurrency=2 --loglevel=INFO \
    --hostname=worker@smoke
start mailer "$BIN/celery" -A config worker -Q email --pool=prefork --concurrency=1 --loglevel=INFO \
    --hostname=mailer@smoke
start beat "$BIN/celery" -A config beat --loglevel=INFO --schedule "$WORK/celerybeat-schedule"

# Ready: /healthz where it exists (it answers 404 until then), the sign-in page otherwise; and both workers.
deadline=$((SECONDS + 60))
while :; do
    health=$(curl -ks -o /dev/null -w '%{http_code}' "$BASE_URL/healthz" || true)
    if [ "$health" = 200 ]; then break; fi
    if [ "$health" = 404 ] && [ "$(curl -ks -o /dev/null -w '%{http_code}' "$BASE_URL/accounts/login/")" = 200 ]; then
        echo "note: no /healthz yet; the sign-in page answered 200"
        break
    fi
    [ "$SECONDS" -lt "$deadline" ] || { echo "error: gunicorn not ready after 60 s (/healthz: $health)" >&2; exit 1; }
    sleep 0.5
done
wait_for_log worker "worker@smoke ready" 60
wait_for_log mailer "mailer@smoke ready" 60
wait_for_log beat "beat: Starting" 30

# ---------------------------------------------------------------- onboarding (a platform operator's command)
say "onboard_trust $TRUST_CODE, lead $LEAD"
if [ ! -f trusts/management/commands/onboard_trust.py ]; then
    echo "error: manage.py onboard_trust does not exist (trusts/management/commands/onboard_trust.py)" >&2
    exit 1
fi
as_owner onboard_trust --gias "$GIAS" --trust-code "$TRUST_CODE" --lead "$LEAD" 2>&1 | tee "$LOGS/onboard.log"

# ---------------------------------------------------------------- the journey
say "journey (tests/smoke)"
# The test talks to the site over HTTPS only: none of the production environment reaches it.
env -i PATH="$PATH" HOME="${HOME:-/root}" LANG=C.UTF-8 CI="${CI:-}" \
    PLAYWRIGHT_CHROMIUM_EXECUTABLE="${PLAYWRIGHT_CHROMIUM_EXECUTABLE:-/usr/bin/chromium}" \
    SMOKE_BASE_URL="$BASE_URL" SMOKE_MAILDIR="$WORK/mail" SMOKE_LEAD_EMAIL="$LEAD" \
    "$PY" -m pytest tests/smoke -m smoke -p no:django -p no:cacheprovider -q --confcutdir=tests/smoke \
    -W "ignore:Unknown config option:pytest.PytestConfigWarning" \
    </dev/null 2>&1 | tee "$LOGS/journey.log"
if ! grep -Eq '[0-9]+ passed' "$LOGS/journey.log" || grep -Eq '[0-9]+ (failed|error|skipped)' "$LOGS/journey.log"; then
    echo "error: the smoke journey did not pass" >&2
    exit 1
fi
# The colleague's invitation went through the email queue and the mailer worker (the only one consuming it).
grep -Eq "Task .+ succeeded in" "$LOGS/mailer.log" \
    || { echo "error: the mailer worker ran no task: the colleague's invitation did not go through it" >&2; exit 1; }

# ---------------------------------------------------------------- nothing went wrong behind the scenes
# e.g. a PDF rendered without its stylesheet only logs an error: the page still offers the download.
if grep -Ew "Traceback|ERROR|CRITICAL" "$LOGS"/{web,worker,mailer,beat,smtp}.log; then
    echo "error: a server logged an error or a traceback (the lines above)" >&2
    exit 1
fi

# ---------------------------------------------------------------- the restore drill, on what the smoke test made
# SMOKE_RESTORE_DRILL=1: back up this production-shaped database (as its owner) and its documents, restore
# them into a fresh database and folder, and check counts, a document's bytes and the audit chain.
if [ "${SMOKE_RESTORE_DRILL:-0}" = 1 ]; then
    say "restore drill"
    # Casework to restore: the demo trusts' pupils, plans and reviews beside the onboarded trust (seed_demo
    # refuses production settings, rightly: it runs with the development ones on this throw-away database).
    env -u DJANGO_ENV -u DEBUG DATABASE_URL=$OWNER_URL "$PY" manage.py seed_demo </dev/null >/dev/null
    SOURCE_DATABASE_URL=$OWNER_URL SOURCE_MEDIA_ROOT=$WORK/media \
    ADMIN_DATABASE_URL=postgres://$PGUSER_@$PGHOST_:$PGPORT_/postgres \
        bash .ci/restore-drill.sh </dev/null
fi
OK=1
