#!/usr/bin/env bash
# Restore drill: back up a database and its documents, restore them into a NEW database and a NEW folder,
# and prove the copy is whole: every table's row count matches the manifest, a document's bytes (SHA-256)
# match the original, and the audit trail's hash chain verifies on the restored database.
#
#   SOURCE_DATABASE_URL=postgres://owner@host:5432/send   the database to back up (its owner role or a superuser)
#   SOURCE_MEDIA_ROOT=/var/lib/send/media                 its documents
#   ADMIN_DATABASE_URL=postgres://postgres@host:5432/postgres  a role that may CREATE DATABASE (and DROP it after)
#   bash .ci/restore-drill.sh
#
# When the source holds no document yet, one small PDF is uploaded through the documents service first.
# The fresh database and folders are removed afterwards (KEEP_DRILL=1 keeps them and says where).
# Exits non-zero, saying why, on any failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${SOURCE_DATABASE_URL:?set SOURCE_DATABASE_URL (the database to back up)}"
: "${SOURCE_MEDIA_ROOT:?set SOURCE_MEDIA_ROOT (its documents folder)}"
: "${ADMIN_DATABASE_URL:?set ADMIN_DATABASE_URL (a role that may create databases)}"
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python

# The drill's own settings: development defaults plus the databases and folders given; nothing else leaks in.
manage() { env -u DJANGO_ENV -u DEBUG -u SENTRY_DSN "$@"; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/restore-drill.XXXXXX")
BACKUP=$WORK/backup
RESTORED_MEDIA=$WORK/media
DRILL_DB="restore_drill_$(date +%Y%m%d%H%M%S)_$$"
RESTORED_URL=$("$PY" -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$ADMIN_DATABASE_URL" "$DRILL_DB")
CREATED=0

cleanup() {
    local rc=$?
    set +e
    if [ "${KEEP_DRILL:-0}" = 1 ]; then
        echo "restore drill: kept $RESTORED_URL and $WORK"
    else
        [ "$CREATED" = 1 ] && psql "$ADMIN_DATABASE_URL" -v ON_ERROR_STOP=1 -q -X -c "DROP DATABASE IF EXISTS \"$DRILL_DB\"" >/dev/null
        rm -rf "$WORK"
    fi
    if [ "$rc" -eq 0 ]; then echo "restore drill: OK"; else echo "restore drill: FAILED (exit $rc)" >&2; fi
    exit "$rc"
}
trap cleanup EXIT
fail() { echo "restore drill: $*" >&2; exit 1; }

echo "==> a document to check"
DOCUMENT=$(manage DATABASE_URL="$SOURCE_DATABASE_URL" MEDIA_ROOT="$SOURCE_MEDIA_ROOT" "$PY" manage.py shell -c '
import io
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled
from pupils.documents import upload_document
from pupils.models import Document, Pupil
from trusts.models import Membership, Role

with scopes_disabled():
    document = next((d for d in Document.objects.order_by("pk") if d.file and d.file.storage.exists(d.file.name)), None)
    if document is None:
        senco = Membership.objects.filter(role=Role.SENCO, school__isnull=False, user__is_active=True).order_by("pk").first()
        pupil = senco and Pupil.objects.filter(school_id=senco.school_id).order_by("pk").first()
        if pupil is None:
            raise SystemExit("The source database has no SENCO with a pupil: seed it first (manage.py seed_demo).")
        pdf = b"%PDF-1.4\n% restore drill\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        with scope(trust=pupil.trust_id):
            document = upload_document(
                pupil=pupil, uploaded_file=SimpleUploadedFile("restore-drill.pdf", pdf, "application/pdf"),
                category=Document.Category.OTHER, visibility=Document.Visibility.STAFF,
                title="Restore drill", actor=senco.user,
            )
    print(document.file.name)
' | tail -n 1)
[ -n "$DOCUMENT" ] && [ -f "$SOURCE_MEDIA_ROOT/$DOCUMENT" ] || fail "no document file to check ($DOCUMENT)"
echo "    $DOCUMENT"

echo "==> seal the audit trail, then back up"
manage DATABASE_URL="$SOURCE_DATABASE_URL" "$PY" manage.py verify_audit --seal >/dev/null
manage DATABASE_URL="$SOURCE_DATABASE_URL" MEDIA_ROOT="$SOURCE_MEDIA_ROOT" "$PY" manage.py backup --to "$BACKUP"

echo "==> restore into a fresh database ($DRILL_DB) and a fresh folder"
psql "$ADMIN_DATABASE_URL" -v ON_ERROR_STOP=1 -q -X -c "CREATE DATABASE \"$DRILL_DB\"" >/dev/null
CREATED=1
manage DATABASE_URL="$RESTORED_URL" "$PY" manage.py restore --from "$BACKUP" --database-url "$RESTORED_URL" \
    --media-root "$RESTORED_MEDIA"

echo "==> check: every table's row count matches the manifest"
"$PY" - "$BACKUP/manifest.json" "$RESTORED_URL" <<'PYCHECK'
import json, subprocess, sys
manifest = json.load(open(sys.argv[1]))
counts = manifest["row_counts"]
if "trusts_auditentry" not in counts or counts.get("pupils_document", 0) < 1:
    sys.exit("the manifest lacks the audit trail or any document row")
sql = "SELECT set_config('app.trust_id', '*', false);" + "".join(
    f"SELECT '{table}', count(*) FROM \"{table}\";" for table in sorted(counts)
)
out = subprocess.run(["psql", sys.argv[2], "-X", "-tA", "-F", " ", "-v", "ON_ERROR_STOP=1", "-c", sql],
                     check=True, capture_output=True, text=True).stdout
restored = dict(line.split(" ") for line in out.splitlines() if " " in line)
wrong = [f"{t}: {restored.get(t)} != {n}" for t, n in counts.items() if restored.get(t) != str(n)]
if wrong:
    sys.exit("row counts differ: " + "; ".join(wrong))
print(f"    {len(counts)} tables, {sum(counts.values())} rows match")
PYCHECK

echo "==> check: the document's bytes are the original's"
ORIGINAL=$(sha256sum "$SOURCE_MEDIA_ROOT/$DOCUMENT" | cut -d' ' -f1)
[ -f "$RESTORED_MEDIA/$DOCUMENT" ] || fail "the restored folder has no $DOCUMENT"
RESTORED=$(sha256sum "$RESTORED_MEDIA/$DOCUMENT" | cut -d' ' -f1)
[ "$ORIGINAL" = "$RESTORED" ] || fail "$DOCUMENT differs after restore ($ORIGINAL vs $RESTORED)"
ROW=$(psql "$RESTORED_URL" -X -tA -c "SELECT count(*) FROM pupils_document WHERE file = '$DOCUMENT'")
[ "$ROW" = 1 ] || fail "the restored database has no row for $DOCUMENT"
echo "    sha256 $ORIGINAL"

echo "==> check: the audit trail verifies on the restored database"
manage DATABASE_URL="$RESTORED_URL" MEDIA_ROOT="$RESTORED_MEDIA" "$PY" manage.py verify_audit

echo "==> check: a second restore into the now non-empty database is refused"
if manage DATABASE_URL="$RESTORED_URL" "$PY" manage.py restore --from "$BACKUP" --database-url "$RESTORED_URL" \
        --media-root "$WORK/media-again" 2>"$WORK/refused"; then
    fail "restoring over a non-empty database was allowed"
fi
grep -q "is not empty" "$WORK/refused" || fail "unexpected refusal: $(cat "$WORK/refused")"
echo "    refused: $(tail -n 1 "$WORK/refused")"
