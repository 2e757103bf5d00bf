"""`manage.py backup` and `restore` for real, on the database the suite runs on (PostgreSQL in CI: pg_dump and
pg_restore into a fresh database; SQLite: a consistent copy of the file), with their refusals."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_scopes import scope

from tests.factories import pupil_at
from tests.permission_cases.documents import PDF_BYTES, make_document
from trusts import audit, audit_chain
from trusts.backups import DATABASE_FILE, MANIFEST, MEDIA_FILE, Database, postgres_counts, sqlite_counts

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads only what is committed


def url_of(settings_dict: dict[str, Any], name: str | None = None) -> str:
    name = name or settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{name}"


@pytest.fixture
def empty_target(tmp_path: Path) -> Iterator[str]:
    """A URL for a database that does not hold anything yet (created, then dropped, on PostgreSQL)."""
    if connection.vendor == "sqlite":
        yield url_of(connection.settings_dict, str(tmp_path / "restored.sqlite3"))
        return
    name = f"ops_restore_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = Database.from_url(url_of(connection.settings_dict, "postgres"))
    with admin.connect() as conn:
        conn.autocommit = True
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url_of(connection.settings_dict, name)
    finally:
        with admin.connect() as conn:
            conn.autocommit = True
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def casework(demo) -> Any:
    """Committed casework with one document on disk and a sealed audit trail."""
    pupil = pupil_at(demo, demo.acorn)
    document = make_document(pupil, content=PDF_BYTES + b"% backup test\n")
    with scope(trust=demo.oak.pk):
        audit.record(actor=document.uploaded_by, action=audit.Action.CREATE, obj=document, pupil_id=pupil.pk)
        audit_chain.seal(trust_id=demo.oak.pk)
    return document


def counts_of(url: str) -> dict[str, int]:
    db = Database.from_url(url)
    return postgres_counts(db) if db.vendor == "postgresql" else sqlite_counts(Path(db.name))


def back_up(tmp_path: Path) -> Path:
    target = tmp_path / "backup"
    call_command("backup", to=target)
    return target


def test_a_backup_restores_into_a_fresh_database_and_folder_with_the_same_rows_and_bytes(
    casework, empty_target, tmp_path
) -> None:
    backup = back_up(tmp_path)
    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["row_counts"]["pupils_document"] == 1
    assert manifest["row_counts"]["trusts_auditseal"] >= 1
    assert manifest["migrations"]["trusts"]
    assert set(manifest["files"]) == {DATABASE_FILE, MEDIA_FILE}
    assert oct((backup / DATABASE_FILE).stat().st_mode & 0o777) == "0o600"

    media = tmp_path / "restored-media"
    call_command("restore", source=backup, database_url=empty_target, media_root=media)

    assert counts_of(empty_target) == manifest["row_counts"]
    original = Path(settings.MEDIA_ROOT) / casework.file.name
    restored = media / casework.file.name
    assert hashlib.sha256(restored.read_bytes()).hexdigest() == hashlib.sha256(original.read_bytes()).hexdigest()
    assert manifest["media_files"][casework.file.name] == hashlib.sha256(original.read_bytes()).hexdigest()


def test_restore_refuses_a_database_that_is_not_empty(casework, tmp_path) -> None:
    backup = back_up(tmp_path)
    live = url_of(connection.settings_dict)  # the suite's own database, full of tables
    before = counts_of(live)
    message = "is not empty" if connection.vendor == "postgresql" else "already exists"
    with pytest.raises(CommandError, match=message):
        call_command("restore", source=backup, database_url=live, media_root=tmp_path / "restored")
    assert counts_of(live) == before
    assert not (tmp_path / "restored").exists()


def test_restore_refuses_a_documents_folder_that_is_not_empty(casework, empty_target, tmp_path) -> None:
    backup = back_up(tmp_path)
    media = tmp_path / "restored"
    media.mkdir()
    (media / "someone-elses.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError, match="is not empty: restore documents into a new, empty folder"):
        call_command("restore", source=backup, database_url=empty_target, media_root=media)
    assert counts_of(empty_target) == {}


def test_restore_refuses_a_damaged_dump_before_touching_anything(casework, empty_target, tmp_path) -> None:
    backup = back_up(tmp_path)
    dump = backup / DATABASE_FILE
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="database.dump does not match its checksum"):
        call_command("restore", source=backup, database_url=empty_target, media_root=tmp_path / "restored")
    assert counts_of(empty_target) == {}
    assert not (tmp_path / "restored").exists()


def test_restore_refuses_a_backup_with_a_file_missing(casework, empty_target, tmp_path) -> None:
    backup = back_up(tmp_path)
    (backup / MEDIA_FILE).unlink()
    with pytest.raises(CommandError, match="media.tar is missing"):
        call_command("restore", source=backup, database_url=empty_target, media_root=tmp_path / "restored")
    assert counts_of(empty_target) == {}


def test_restore_refuses_a_folder_that_is_not_a_backup(empty_target, tmp_path) -> None:
    with pytest.raises(CommandError, match="has no manifest.json"):
        call_command("restore", source=tmp_path, database_url=empty_target, media_root=tmp_path / "restored")


def test_restore_refuses_a_document_changed_inside_the_archive(casework, empty_target, tmp_path) -> None:
    """The archive's own checksum re-made to match: the per-document checksums still catch the change."""
    backup = back_up(tmp_path)
    archive = backup / MEDIA_FILE
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers() if m.isfile()]
    with tarfile.open(archive, "w") as tar:
        for member, content in members:
            content = content.replace(b"backup test", b"BACKUP TEST")
            member.size = len(content)
            tar.addfile(member, io.BytesIO(content))
    manifest = json.loads((backup / MANIFEST).read_text())
    manifest["files"][MEDIA_FILE] = hashlib.sha256(archive.read_bytes()).hexdigest()
    (backup / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="do not match the manifest"):
        call_command("restore", source=backup, database_url=empty_target, media_root=tmp_path / "restored")
    assert not (tmp_path / "restored").exists()
    assert counts_of(empty_target) == {}


def test_backup_refuses_a_folder_that_already_holds_files(db, tmp_path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / MANIFEST).write_text("{}")
    with pytest.raises(CommandError, match="is not empty: give a new folder for each backup"):
        call_command("backup", to=tmp_path / "old")


def test_restore_refuses_a_backup_of_another_kind_of_database(casework, tmp_path) -> None:
    backup = back_up(tmp_path)
    other = "sqlite:////tmp/x.sqlite3" if connection.vendor == "postgresql" else "postgres://u@127.0.0.1:1/x"
    with pytest.raises(CommandError, match=f"This is a {connection.vendor} backup"):
        call_command("restore", source=backup, database_url=other, media_root=tmp_path / "restored")


def test_the_sqlite_copy_is_a_database_sqlite_can_open(casework, tmp_path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL dump is checked by restoring it above")
    backup = back_up(tmp_path)
    with sqlite3.connect(backup / DATABASE_FILE) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_backup_as_the_app_role_is_refused_with_what_to_do_and_leaves_nothing_behind(casework, tmp_path) -> None:
    """Row-level security hides rows from the app role; a dump of part of the data must not pass for a backup."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level security exists on PostgreSQL only")
    from dataclasses import replace

    from trusts.backups import BackupError
    from trusts.backups import back_up as make_backup

    role = f"ops_app_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        call_command("grant_app_role", role=role)
        as_app = replace(Database.from_settings(connection.settings_dict), user=role, password="")
        with pytest.raises(BackupError, match="run it as the database owner role"):
            make_backup(database=as_app, media_root=Path(settings.MEDIA_ROOT), to=tmp_path / "backup")
        assert list((tmp_path / "backup").iterdir()) == []
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')
