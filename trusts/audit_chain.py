"""The audit trail's hash chain: sealing new entries, and verifying that nothing was changed.

Entries are written by `trusts.audit.record` as plain inserts, so writing one never waits on a lock. A
periodic task (`seal_audit_trails`, every minute) then seals each trust's new entries in id order, under a
lock on the trust's row so two sealers never fork the chain: each seal stores its position, the previous
seal's hash and SHA-256(previous hash + the entry's fields). Both tables are append-only in the model and
in the database (triggers on PostgreSQL and SQLite). Anyone who edits or deletes rows outside the
application (say, with the triggers dropped) breaks the chain, and `manage.py verify_audit` says where.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, AuditSeal, Trust

GENESIS = "0" * 64
FIELDS = (
    "id",
    "trust_id",
    "school_id",
    "actor_id",
    "actor_name",
    "at",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "pupil_id",
    "summary",
    "ip_address",
)
SEAL_BATCH = 5000


def digest(entry: AuditEntry, prev_hash: str) -> str:
    values = {name: getattr(entry, name) for name in FIELDS}
    values["at"] = entry.at.isoformat() if entry.at else None
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}:{canonical}".encode()).hexdigest()


@transaction.atomic
def seal(*, trust_id: int, limit: int = SEAL_BATCH) -> int:
    """Seal the trust's unsealed entries in id order (up to `limit`). Returns how many were sealed."""
    Trust.objects.select_for_update().filter(pk=trust_id).first()  # one sealer per trust at a time
    last = AuditSeal.objects.filter(trust_id=trust_id).order_by("-position").first()
    position, prev = (last.position, last.entry_hash) if last else (0, GENESIS)
    entries = list(AuditEntry.objects.filter(trust_id=trust_id, seal__isnull=True).order_by("id")[:limit])
    seals = []
    for entry in entries:
        position += 1
        entry_hash = digest(entry, prev)
        seals.append(
            AuditSeal(entry=entry, trust_id=trust_id, position=position, prev_hash=prev, entry_hash=entry_hash)
        )
        prev = entry_hash
    AuditSeal.objects.bulk_create(seals)
    return len(seals)


@dataclass
class Verification:
    trust_id: int
    sealed: int = 0
    unsealed: int = 0
    stale_unsealed: int = 0
    breaks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify(*, trust_id: int, unsealed_grace: timedelta = timedelta(hours=1)) -> Verification:
    """Walk the trust's chain in order and recompute every hash. Reports: an entry changed since it was
    sealed, a seal whose entry is gone, a gap or repeat in positions, a seal not chained to the one before,
    and entries left unsealed for longer than `unsealed_grace` (the sealer stopped, or rows were inserted
    behind its back). Reads only."""
    result = Verification(trust_id=trust_id)
    entries = {e.pk: e for e in AuditEntry.objects.filter(trust_id=trust_id).iterator(chunk_size=2000)}
    prev, expected = GENESIS, 1
    sealed_ids: set[int] = set()
    for s in AuditSeal.objects.filter(trust_id=trust_id).order_by("position").iterator(chunk_size=2000):
        if s.position != expected:
            result.breaks.append(f"position {expected}: missing (the next seal is at {s.position})")
            expected = s.position
        if s.prev_hash != prev:
            result.breaks.append(f"position {s.position}: not chained to the entry before it")
        entry = entries.get(s.entry_id)
        if entry is None:
            result.breaks.append(f"position {s.position}: audit entry {s.entry_id} has been removed")
        elif digest(entry, s.prev_hash) != s.entry_hash:
            result.breaks.append(f"position {s.position}: audit entry {s.entry_id} has been changed")
        sealed_ids.add(s.entry_id)
        prev, expected = s.entry_hash, expected + 1
        result.sealed += 1
    cutoff = timezone.now() - unsealed_grace
    for pk, entry in entries.items():
        if pk not in sealed_ids:
            result.unsealed += 1
            if entry.at < cutoff:
                result.stale_unsealed += 1
    if result.stale_unsealed:
        result.breaks.append(
            f"{result.stale_unsealed} entr{'y' if result.stale_unsealed == 1 else 'ies'} older than "
            f"{int(unsealed_grace.total_seconds() // 60)} minutes not sealed: is the sealer running?"
        )
    return result
