"""Backups that restore: the database and the documents, with a manifest that proves what was taken.

A backup is a folder of three files, made by `manage.py backup --to DIR`:
- `database.dump`: PostgreSQL's own custom-format dump (`pg_dump -Fc`), or on SQLite a consistent copy of
  the file (SQLite's online backup);
- `media.tar`: every file under MEDIA_ROOT (uploaded documents);
- `manifest.json`: the SHA-256 of both files and of every document, the row count of every table, the
  migrations applied and the app's version.

The row counts are taken in the same snapshot as the dump (pg_dump `--snapshot` of a REPEATABLE READ
transaction that exports it), so they match the dump exactly even while people are working. Documents are
archived after the dump, so a file uploaded meanwhile is in the archive without its row (harmless) and none
that the dump refers to is missing, unless it was deleted in those seconds.

`manage.py restore` checks every checksum before touching anything, restores only into an EMPTY database and
an empty folder (nothing is overwritten or mixed), then checks every document's SHA-256 and every table's
row count against the manifest. The dump is restored without its owners and grants (`--no-owner --no-acl`):
restore as the owner role, then run `grant_app_role` for the app role (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import environ
from django.utils import timezone

MANIFEST = "manifest.json"
DATABASE_FILE = "database.dump"
MEDIA_FILE = "media.tar"
FORMAT = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Something an operator must fix, with a message that says what."""


@dataclass(frozen=True)
class Database:
    """Where a database is, from Django's settings or a DATABASE_URL."""

    vendor: str  # "postgresql" or "sqlite"
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_settings(cls, settings_dict: dict[str, Any]) -> Database:
        engine = settings_dict["ENGINE"]
        if engine.endswith("sqlite3"):
            return cls(vendor="sqlite", name=str(settings_dict["NAME"]))
        if "postgresql" in engine or "postgis" in engine:
            options = settings_dict.get("OPTIONS") or {}
            return cls(
                vendor="postgresql",
                name=str(settings_dict["NAME"]),
                user=str(settings_dict.get("USER") or ""),
                password=str(settings_dict.get("PASSWORD") or ""),
                host=str(settings_dict.get("HOST") or ""),
                port=str(settings_dict.get("PORT") or ""),
                options=tuple((str(k), str(v)) for k, v in options.items() if isinstance(v, str | int)),
            )
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}.")

    @classmethod
    def from_url(cls, url: str) -> Database:
        try:
            config = environ.Env.db_url_config(url)
        except Exception as exc:  # noqa: BLE001 - django-environ raises several kinds for a bad URL
            raise BackupError(f"That database URL cannot be read ({exc}).") from exc
        if not config.get("NAME"):
            raise BackupError("The database URL must name a database (postgres://user@host:port/NAME).")
        return cls.from_settings(config)

    def libpq_env(self) -> dict[str, str]:
        """The connection for pg_dump/pg_restore/psycopg as PG* variables, so no password is on a command line."""
        env = {"PGDATABASE": self.name, "PGCONNECT_TIMEOUT": "10"}
        for key, value in (("PGUSER", self.user), ("PGPASSWORD", self.password), ("PGHOST", self.host)):
            if value:
                env[key] = value
        if self.port:
            env["PGPORT"] = self.port
        libpq_names = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "connect_timeout": "PGCONNECT_TIMEOUT"}
        for key, value in self.options:
            if key in libpq_names:
                env[libpq_names[key]] = value
        return env

    def connect(self) -> Any:
        import psycopg
        from psycopg.conninfo import make_conninfo

        params: dict[str, Any] = {"dbname": self.name, "user": self.user, "password": self.password}
        params |= {"host": self.host, "port": self.port, "connect_timeout": 10}
        params |= {k: v for k, v in self.options if k in {"sslmode", "sslrootcert"}}
        try:
            return psycopg.connect(make_conninfo(**{k: v for k, v in params.items() if v}))
        except psycopg.OperationalError as exc:
            raise BackupError(f"Cannot connect to the database {self.name}: {str(exc).strip()}") from exc


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _run(command: list[str], *, env: dict[str, str], what: str) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client tools (postgresql-client).")
    result = subprocess.run(  # noqa: S603 - a fixed program, arguments we built
        [program, *command[1:]], env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        output = result.stderr.strip() or result.stdout.strip()
        if "row-level security" in output:
            raise BackupError(
                f"{what} cannot read every trust's rows as this role: run it as the database owner role "
                f"(the app role is limited by row-level security). {output.splitlines()[0]}"
            )
        raise BackupError(f"{what} failed: {output}")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------- counting and describing
def _postgres_tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _counts_and_migrations(cursor: Any, tables: list[str]) -> tuple[dict[str, int], dict[str, list[str]]]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 - a table name from the catalogue
        counts[table] = int(cursor.fetchone()[0])
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, id")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return counts, {app: names[-1:] for app, names in migrations.items()}


def postgres_counts(db: Database) -> dict[str, int]:
    with db.connect() as conn, conn.cursor() as cursor:
        # Row-level security applies to roles that do not own the tables: see every trust's rows.
        cursor.execute("SELECT set_config('app.trust_id', '*', false)")
        return _counts_and_migrations(cursor, _postgres_tables(cursor))[0]


def sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [row[0] for row in rows]


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return _counts_and_migrations(conn.cursor(), sqlite_tables(conn))[0]


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("send-casework")
    except PackageNotFoundError:
        return "unknown"


# ---------------------------------------------------------------- backup
def back_up(*, database: Database, media_root: Path, to: Path) -> dict[str, Any]:
    """Write a backup of `database` and `media_root` into the new folder `to`; returns the manifest.

    Refuses a folder that already holds files (a backup is never written over another). Reads only.
    """
    if to.exists() and any(to.iterdir()):
        raise BackupError(f"{to} is not empty: give a new folder for each backup.")
    to.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(to, 0o700)  # pupils' data: readable by this account alone
    try:
        return _back_up_into(database=database, media_root=media_root, to=to)
    except BaseException:
        for leftover in to.iterdir():  # a half-made backup must not pass for one
            leftover.unlink()
        raise


def _back_up_into(*, database: Database, media_root: Path, to: Path) -> dict[str, Any]:
    dump = to / DATABASE_FILE
    if database.vendor == "postgresql":
        counts, migrations = _dump_postgres(database, dump)
    else:
        counts, migrations = _copy_sqlite(database, dump)
    media_files = _archive_media(media_root, to / MEDIA_FILE)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "app_version": _app_version(),
        "database": {"vendor": database.vendor, "name": database.name},
        "migrations": migrations,
        "row_counts": counts,
        "files": {DATABASE_FILE: sha256_file(dump), MEDIA_FILE: sha256_file(to / MEDIA_FILE)},
        "media_files": media_files,
    }
    (to / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    for name in (DATABASE_FILE, MEDIA_FILE, MANIFEST):
        os.chmod(to / name, 0o600)
    return manifest


def _dump_postgres(db: Database, dump: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    import psycopg

    with db.connect() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('app.trust_id', '*', true)")
            counts, migrations = _counts_and_migrations(cursor, _postgres_tables(cursor))
            # pg_dump reads the very snapshot the counts came from, while this transaction holds it open.
            _run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-password", f"--file={dump}"],
                env=db.libpq_env(),
                what="pg_dump",
            )
    return counts, migrations


def _copy_sqlite(db: Database, dump: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    source = Path(db.name)
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(dump) as dst:
        src.backup(dst)  # SQLite's online backup: a consistent copy even while the app writes
    with sqlite3.connect(dump) as conn:
        return _counts_and_migrations(conn.cursor(), sqlite_tables(conn))


def _archive_media(media_root: Path, archive: Path) -> dict[str, str]:
    hashes: dict[str, str] = {}
    with tarfile.open(archive, "w") as tar:
        if media_root.is_dir():
            for path in sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink()):
                relative = path.relative_to(media_root).as_posix()
                hashes[relative] = sha256_file(path)
                tar.add(path, arcname=relative, recursive=False)
    return hashes


# ---------------------------------------------------------------- restore
def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, after checking that every file it lists is there with the same SHA-256."""
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} has no {MANIFEST}: is this a backup folder made by `manage.py backup`?")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as exc:
        raise BackupError(f"{path} is not valid JSON: the backup is damaged.") from exc
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{path} is not a manifest this version understands (format {manifest.get('format')}).")
    for name in (DATABASE_FILE, MEDIA_FILE):
        if name not in manifest["files"]:
            raise BackupError(f"The manifest lists no {name}: the backup is incomplete.")
    for name, expected in manifest["files"].items():
        file = source / name
        if not file.is_file():
            raise BackupError(f"{name} is missing from {source}: the backup is incomplete; nothing was restored.")
        if sha256_file(file) != expected:
            raise BackupError(
                f"{name} does not match its checksum in the manifest: the backup is damaged or was changed; "
                "nothing was restored."
            )
    return manifest


def restore(*, source: Path, database: Database, media_root: Path) -> dict[str, Any]:
    """Restore the backup in `source` into an empty `database` and an empty `media_root`, then check it.

    Checks the manifest's checksums first and refuses a target that holds anything, so a mistake never
    overwrites live data. Raises BackupError with what to do; returns the manifest when all checks pass.
    """
    manifest = read_manifest(source)
    vendor = manifest["database"]["vendor"]
    if vendor != database.vendor:
        raise BackupError(f"This is a {vendor} backup; restore it into a {vendor} database, not {database.vendor}.")
    if media_root.exists() and (not media_root.is_dir() or any(media_root.iterdir())):
        raise BackupError(f"{media_root} is not empty: restore documents into a new, empty folder.")
    if vendor == "postgresql":
        _refuse_non_empty_postgres(database)
    else:
        _refuse_non_empty_sqlite(database)
    # Unpack and check the documents before the database, so a bad archive leaves the database empty; on
    # any failure the folder is emptied again, so the restore can simply be run again.
    try:
        _unpack_media(source / MEDIA_FILE, media_root, manifest["media_files"])
        _restore_database(source, database, vendor)
    except BaseException:
        shutil.rmtree(media_root, ignore_errors=True)
        raise
    counts = postgres_counts(database) if vendor == "postgresql" else sqlite_counts(Path(database.name))
    differ = [
        f"{table}: {counts.get(table)} rows, the backup had {n}"
        for table, n in manifest["row_counts"].items()
        if counts.get(table) != n
    ]
    if differ:
        raise BackupError("The restored database does not match the backup: " + "; ".join(differ))
    return manifest


def _restore_database(source: Path, database: Database, vendor: str) -> None:
    if vendor == "postgresql":
        _run(
            ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", "--no-password"]
            + [f"--dbname={database.name}", str(source / DATABASE_FILE)],
            env=database.libpq_env(),
            what="pg_restore",
        )
    else:
        shutil.copyfile(source / DATABASE_FILE, database.name)


def _refuse_non_empty_postgres(db: Database) -> None:
    with db.connect() as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
            "AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
        )
        if cursor.fetchone()[0]:
            raise BackupError(
                f"The database {db.name} is not empty: restore only into a new, empty database "
                f"(createdb {db.name}_restored), so nothing is overwritten or mixed."
            )


def _refuse_non_empty_sqlite(db: Database) -> None:
    path = Path(db.name)
    if path.exists() and path.stat().st_size > 0:
        raise BackupError(f"{path} already exists: restore into a new file, so nothing is overwritten.")
    path.parent.mkdir(parents=True, exist_ok=True)


def _unpack_media(archive: Path, media_root: Path, expected: dict[str, str]) -> None:
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r") as tar:
        tar.extractall(media_root, filter="data")  # no absolute paths, no "..", no links out, no devices
    found = {p.relative_to(media_root).as_posix(): sha256_file(p) for p in media_root.rglob("*") if p.is_file()}
    wrong = sorted(name for name, digest in expected.items() if found.get(name) != digest)
    if wrong:
        raise BackupError(
            f"{len(wrong)} document(s) in the archive do not match the manifest (first: {wrong[0]}): "
            "the backup is damaged."
        )
