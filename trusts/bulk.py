"""Bulk rows for the benchmark seeders (`seed_scale`): PostgreSQL COPY, or `bulk_create` elsewhere.

`BulkWriter.write(objs)` saves unsaved model instances and gives each its primary key, so a seeder can build
a school's rows, write them, and point the next rows at their ids without reading them back. On PostgreSQL
the ids are drawn from the table's sequence in one statement and the rows go in through `COPY ... FROM
STDIN` (psycopg 3), about five times faster than multi-row INSERTs; on SQLite it is `bulk_create`, which sets
the ids too. Like `bulk_create`, no `save()`, no signals; `auto_now`/`auto_now_add` fields get the time now.

The ids come from the table's sequence (`nextval`, one per row, in one statement), so another writer at the
same time gets others; the application's database role (which may use the sequences but not set them) can
run it too.

Row-level security: COPY does not pass through Django's execute wrappers, so before each COPY ordinary queries
run through them (`trusts.rls` brings `app.trust_id` in line with the active scope: "*" with the scopes
switched off, the trust under `scope(trust=...)`). PostgreSQL refuses COPY FROM into a table whose policy
applies to the role (the application's role): there the rows go in through `bulk_create`, checked by the
policy; the owner role that runs migrations and operators' commands (or a superuser) gets COPY.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models.base import ModelState
from django.utils import timezone

M = TypeVar("M", bound=models.Model)

_PLAIN = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.DateField,  # DateTimeField too
    models.DecimalField,
    models.ForeignKey,
    models.IntegerField,  # and its small, big and positive kinds
    models.TextField,
)


class _Table:
    def __init__(self, model: type[models.Model]) -> None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not isinstance(f, models.GeneratedField)]
        self.model = model
        assert meta.pk is not None
        self.pk, self.pk_column = meta.pk.attname, meta.pk.column
        self.columns = [f.column for f in fields]
        self.attnames = [f.attname for f in fields]
        self.stamped = [
            i
            for i, f in enumerate(fields)
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)  # type: ignore[attr-defined]
        ]
        # A field whose Python value is not what psycopg writes as is (JSON, files, ...): Django prepares it.
        self.prepare: dict[int, Callable[[Any], Any]] = {
            i: _preparer(f)
            for i, f in enumerate(fields)
            if not isinstance(f, _PLAIN) or isinstance(f, models.FileField | models.JSONField)
        }
        # A related object given before it was written has its id now, not yet copied to `<name>_id`.
        self.relations: list[tuple[int, Any]] = [(i, f) for i, f in enumerate(fields) if f.is_relation]
        self.sql = (
            f'COPY "{meta.db_table}" ({", ".join(connection.ops.quote_name(c) for c in self.columns)}) FROM STDIN'
        )
        self.sequence: str | None = None
        self.row_security: bool | None = None


def _row_security_applies(table: _Table) -> bool:
    """Whether this role is held to the table's row-level security policy (not a superuser, not exempt, not the
    owner of an unforced table): PostgreSQL then refuses COPY FROM, so its rows go in as INSERTs, which the
    policy checks (the application's role, as in CI's check of the roles). Asked once per table."""
    if table.row_security is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relrowsecurity AND NOT (r.rolsuper OR r.rolbypassrls"
                " OR (pg_has_role(c.relowner, 'MEMBER') AND NOT c.relforcerowsecurity))"
                " FROM pg_class c, pg_roles r WHERE c.oid = %s::regclass AND r.rolname = current_user",
                [table.model._meta.db_table],
            )
            row = cursor.fetchone()
            table.row_security = bool(row and row[0])
    return table.row_security


def _preparer(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    return lambda value: field.get_db_prep_save(value, connection)


class _Maker:
    """What `Model.__init__` works out for every instance, worked out once per model."""

    def __init__(self, model: type[models.Model]) -> None:
        fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.GeneratedField)]
        dynamic = {f.attname for f in fields if f.has_default() and callable(f.default)}
        self.static = {f.attname: f.get_default() for f in fields if f.attname not in dynamic}
        self.dynamic = [(f.attname, f) for f in fields if f.attname in dynamic]
        self.relations = {f.name: f.attname for f in fields if f.is_relation}
        self.known = {f.name for f in fields} | {f.attname for f in fields}


_makers: dict[type[models.Model], _Maker] = {}


def new(model: type[M], **values: Any) -> M:
    """`model(**values)` for the seeders' hot loops, about five times faster: the defaults are worked out once per
    model, and a related object (`school=s`, already written) is kept as `Model(...)` keeps it. Field names and
    their `_id` attnames only; no validation (`Model.__init__` does none either)."""
    maker = _makers.get(model) or _makers.setdefault(model, _Maker(model))
    obj = model.__new__(model)
    state = ModelState()
    d = obj.__dict__
    d["_state"] = state
    d.update(maker.static)
    for column, f in maker.dynamic:
        d[column] = f.get_default()
    relations = maker.relations
    for name, value in values.items():
        attname = relations.get(name)
        if attname is None:
            if name not in maker.known:
                raise TypeError(f"{model.__name__} has no field {name!r}")
            d[name] = value
        elif value is None:
            d[attname] = None
        else:
            d[attname] = value.pk
            state.fields_cache[name] = value
    return obj


class BulkWriter:
    """Write unsaved model instances in bulk and set their primary keys (see the module docstring)."""

    def __init__(self) -> None:
        self.copy = connection.vendor == "postgresql"
        self._tables: dict[type[models.Model], _Table] = {}
        self.rows = 0

    def write(self, rows: Iterable[M], *, batch_size: int = 5000) -> list[M]:
        objs = list(rows)
        if not objs:
            return objs
        model: Any = type(objs[0])
        self.rows += len(objs)
        table = (self._tables.get(model) or self._tables.setdefault(model, _Table(model))) if self.copy else None
        if table is None or _row_security_applies(table):
            return list(model.objects.bulk_create(objs, batch_size=batch_size))
        now = timezone.now()
        with connection.cursor() as cursor:
            # Through the execute wrappers: brings app.trust_id in line before COPY (module docstring).
            if table.sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table.model._meta.db_table, table.pk_column])
                table.sequence = cursor.fetchone()[0]
            # nextval, not setval: the application's role may use the sequences but not set them.
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [table.sequence, len(objs)])
            ids = [row[0] for row in cursor.fetchall()]
            attnames, stamped, prepare, pk = table.attnames, table.stamped, table.prepare, table.pk
            relations, alias = table.relations, connection.alias
            with cursor.cursor.copy(table.sql) as copy:
                for obj, new_id in zip(objs, ids, strict=True):
                    setattr(obj, pk, new_id)
                    d = obj.__dict__
                    row = [d[a] for a in attnames]
                    for i, f in relations:
                        if row[i] is None and f.is_cached(obj):
                            related = f.get_cached_value(obj)
                            row[i] = d[f.attname] = related.pk if related is not None else None
                    for i in stamped:
                        row[i] = now
                    for i, fn in prepare.items():
                        row[i] = fn(row[i])
                    copy.write_row(row)
                    obj._state.adding = False
                    obj._state.db = alias
        return objs


def skip_foreign_key_checks() -> bool:
    """For the rest of this transaction, PostgreSQL does not check foreign keys of the rows written (superuser
    only: `session_replication_role = replica` turns off the triggers that check them; row-level security and
    every other constraint still hold). The seeders' ids all come from rows written earlier in the same run,
    so the checks, which would cost a third of the seed's time at the commit, can find nothing. Elsewhere (or
    without the right) nothing changes and the checks run. Returns whether they are skipped."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if not row or not row[0]:
            return False
        cursor.execute("SET LOCAL session_replication_role = replica")
    return True
