"""Retention: when a former pupil's record is due for destruction, legal holds, and the destruction itself.

The rule (IRMS Information Management Toolkit for Schools): the last school keeps a child's SEN files, EHC
plans, reviews and advice until the child's date of birth + 31 years. A nightly task lists the pupils who
left the trust and whose retention has ended (`list_due`); nothing is destroyed until the trust's data
protection lead signs each one off (`destroy_record`). A legal hold (a tribunal, a court order,
safeguarding) keeps a record off the list and refuses its destruction until it is lifted.

Destruction runs in one transaction across every app: the apps above fill `PUPIL_DESTROYED_HOOKS` (each
deletes its own rows for the pupil and names the storage files to remove), then the pupil's own rows go,
by CASCADE. Files leave storage only once the transaction has committed, so a failure leaves every row and
every file in place. What remains is the `Destruction` tombstone: counts per kind, when, by whom, under
which rule; no name, UPN or date of birth.

The audit trail is kept (append-only, hash-chained, `trusts.audit_chain`): its entries refer to the pupil
by number (`pupil_id`) and their summaries are written without names; `object_repr` may hold the title of
an object as it was when the entry was written (see docs/data-protection.md for what that means).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.forms.models import model_to_dict
from django.utils import timezone
from django_scopes import scope

from trusts import audit
from trusts.dates import add_months
from trusts.hooks import Hooks
from trusts.models import Membership, Trust, User
from trusts.permissions import DATA_PROTECTION, can

from .models import DataProtectionLead, Destruction, Document, LegalHold, PlanMedication, PlanTraining, Pupil

# IRMS Information Management Toolkit for Schools (2019), "Special educational needs": SEN files, reviews
# and individual education plans, EHC plans and advice and information, kept by the last school until the
# child's date of birth + 31 years, then securely destroyed (reviewed first for any reason to keep).
RETENTION_YEARS = 31
RETENTION_RULE = (
    "IRMS Information Management Toolkit for Schools: SEN files, EHC plans, reviews and advice, "
    "date of birth + 31 years (last school)"
)


@dataclass
class Destroyed:
    """What one app destroyed for a pupil: counts per kind, and the storage files to remove on commit."""

    counts: dict[str, int] = field(default_factory=dict)
    files: list[tuple[Storage, str]] = field(default_factory=list)


# Each app above deletes its own rows for the pupil (and lists its files). Required: without them the
# pupil's plans, reviews and cycles would go only by CASCADE and their files (plan PDFs) would stay on disk.
PUPIL_DESTROYED_HOOKS: Hooks[Callable[[Pupil], Destroyed]] = Hooks(
    "pupils.retention.PUPIL_DESTROYED_HOOKS",
    rule="a destroyed record leaves nothing of the pupil in any app, files included",
    filled_by="register, graduated, ehcp, reviews",
)
# Each app gives its records about the pupil as JSON-ready rows by kind, for a subject access export.
SUBJECT_ACCESS_EXPORTERS: Hooks[Callable[[Pupil], dict[str, list[dict[str, Any]]]]] = Hooks(
    "pupils.retention.SUBJECT_ACCESS_EXPORTERS",
    rule="a subject access export holds everything every app keeps about the child",
    filled_by="pupils, register, graduated, ehcp, reviews",
)


def retention_ends(date_of_birth: date) -> date:
    """The day the record is due for destruction: the 31st birthday (29 February → 28 February).

    Born 12 March 1995: due on 12 March 2026 (on that day, not the day after).
    """
    return add_months(date_of_birth, RETENTION_YEARS * 12)


# Helpers for the apps' hooks ------------------------------------------------------------------------------


def _kind(model: type[models.Model]) -> str:
    return str(model._meta.verbose_name_plural)


def delete_rows(*querysets: QuerySet[Any]) -> dict[str, int]:
    """Delete each queryset (with what cascades from it); counts by kind, the kinds in plain words."""
    counts: dict[str, int] = {}
    for qs in querysets:
        _, per_model = qs.delete()
        for label, n in per_model.items():
            if n:
                from django.apps import apps

                kind = _kind(apps.get_model(label))
                counts[kind] = counts.get(kind, 0) + n
    return counts


def rows_of(*querysets: QuerySet[Any]) -> dict[str, list[dict[str, Any]]]:
    """Every field of every row, JSON-ready (dates as ISO strings, files by name), by kind."""
    out: dict[str, list[dict[str, Any]]] = {}
    for qs in querysets:
        rows = []
        for obj in qs.order_by("pk"):
            row = model_to_dict(obj)
            row["id"] = obj.pk
            for f in obj._meta.concrete_fields:
                if isinstance(f, models.ForeignKey) and f.name not in row:
                    row[f.name] = getattr(obj, f.attname)
            rows.append({k: _jsonable(v) for k, v in row.items()})
        if rows:
            out.setdefault(_kind(qs.model), []).extend(rows)
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, int | float | str | bool | dict) or value is None:
        return value
    return str(value)


def pupils_own_rows(pupil: Pupil) -> dict[str, list[dict[str, Any]]]:
    """pupils' part of a subject access export: the pupil, contacts, groups, documents, access grants, legal
    holds, medical conditions and health care plans (every version, with medicines and training), the
    parents' views before reviews (with the school's requests for them) and every version of their "All
    about me"."""
    return rows_of(
        Pupil.objects.filter(pk=pupil.pk),
        pupil.contacts.all(),
        pupil.group_memberships.all(),
        pupil.documents.all(),
        pupil.access_grants.all(),
        pupil.legal_holds.all(),
        pupil.medical_conditions.all(),
        pupil.health_plans.all(),
        PlanMedication.objects.filter(plan__pupil=pupil),
        PlanTraining.objects.filter(plan__pupil=pupil),
        pupil.parent_contributions.all(),
        pupil.views_requests.all(),
        pupil.all_about_me.all(),
    )


# The data protection lead -----------------------------------------------------------------------------------


def named_lead_id(trust_id: int) -> int | None:
    """The user a trust names as its data protection lead (trusts.permissions.DATA_PROTECTION_LEAD)."""
    with scope(trust=trust_id):  # asked from permission checks, inside or outside a request's scope
        return DataProtectionLead.objects.filter(trust_id=trust_id).values_list("user_id", flat=True).first()


@transaction.atomic
def name_data_protection_lead(*, trust: Trust, user: User | None, actor: User) -> DataProtectionLead | None:
    """Name the trust's data protection lead (None: its inclusion leads again). They must be staff of the
    trust. Side effects: the setting row written or removed; an audit entry."""
    if not can(actor, "trust.casework", trust) or actor.trust_id != trust.pk:
        raise ValidationError("Only the trust's inclusion lead can name its data protection lead.")
    if user is None:
        DataProtectionLead.objects.filter(trust=trust).delete()
        audit.record(
            actor=actor, action=audit.Action.CHANGE, obj=trust, summary="Data protection lead: inclusion leads"
        )
        return None
    staff = Membership.objects.filter(user=user, trust=trust).exclude(role="parent").exists()
    if user.trust_id != trust.pk or not user.is_active or not staff:
        raise ValidationError("Choose a member of the trust's staff as its data protection lead.")
    lead, _ = DataProtectionLead.objects.update_or_create(trust=trust, defaults={"user": user})
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=trust, summary=f"Data protection lead: {user}")
    return lead


# Who is due ---------------------------------------------------------------------------------------------------


def active_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(lifted_at__isnull=True)


def due_pupils(*, today: date) -> list[Pupil]:
    """Pupils (of the active trust scope) whose record is due for destruction today: they left (a leaving
    date on or before today), are not back on roll in the trust under a new UPN, hold no legal hold, and
    their 31st birthday is today or before."""
    # The latest birth date that can be due: `retention_ends` is exact for 29 February, so it decides.
    latest_birth = add_months(today, -RETENTION_YEARS * 12) + timedelta(days=1)
    back_on_roll = Pupil.objects.filter(former_upn=OuterRef("upn"), trust=OuterRef("trust")).filter(
        Q(leaving_date__isnull=True) | Q(leaving_date__gt=today)
    )
    candidates = (
        Pupil.objects.filter(leaving_date__isnull=False, leaving_date__lte=today, date_of_birth__lte=latest_birth)
        .exclude(Exists(back_on_roll))
        .exclude(Exists(active_holds().filter(pupil=OuterRef("pk"))))
        .order_by("pk")
    )
    return [p for p in candidates if retention_ends(p.date_of_birth) <= today]


@transaction.atomic
def list_due(*, today: date) -> tuple[int, int]:
    """Bring the active trust's "due for destruction" list up to date; returns (added, removed).

    Idempotent: a pupil already listed is not listed twice, and a listed pupil who no longer qualifies (a
    hold placed, back on roll, a corrected date of birth) leaves the list. Nothing is destroyed here.
    """
    due = {p.pk: p for p in due_pupils(today=today)}
    listed = set(Destruction.objects.filter(status=Destruction.Status.DUE).values_list("pupil_id", flat=True))
    stale = Destruction.objects.filter(status=Destruction.Status.DUE).exclude(pupil_id__in=list(due))
    removed = stale.delete()[0]
    new = [
        Destruction(
            trust_id=p.trust_id,
            school_id=p.school_id,
            pupil=p,
            former_pupil_id=p.pk,
            rule=RETENTION_RULE,
            listed_on=today,
        )
        for pk, p in due.items()
        if pk not in listed
    ]
    Destruction.objects.bulk_create(new)
    return len(new), removed


def due_list() -> QuerySet[Destruction]:
    return Destruction.objects.filter(status=Destruction.Status.DUE).select_related("school", "pupil")


def tombstones() -> QuerySet[Destruction]:
    return Destruction.objects.filter(status=Destruction.Status.DESTROYED).select_related("school")


# Destruction ---------------------------------------------------------------------------------------------------


def _delete_files_on_commit(files: list[tuple[Storage, str]]) -> None:
    def delete() -> None:
        for storage, name in files:
            if name:
                storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def destroy_record(*, destruction: Destruction, actor: User, today: date | None = None) -> Destruction:
    """Sign off one listed record: destroy the pupil's personal data in every app, documents and their files
    included, and keep the anonymised tombstone.

    Refused (nothing changes) unless the actor is the trust's data protection lead, the record is still due
    on the day (a hold, a return to roll or a corrected date of birth since listing) and not held. Side
    effects: every app's rows for the pupil deleted; files removed from storage after commit; the tombstone
    completed; an audit entry (by number, no name).
    """
    today = today or timezone.localdate()
    if not can(actor, DATA_PROTECTION, destruction):
        raise ValidationError("Only the trust's data protection lead can sign off a destruction.")
    destruction = Destruction.objects.select_for_update().get(pk=destruction.pk)
    if destruction.status != Destruction.Status.DUE or destruction.pupil_id is None:
        raise ValidationError("This record has already been destroyed.")
    pupil = Pupil.objects.select_for_update().get(pk=destruction.pupil_id)
    if active_holds().filter(pupil=pupil).exists():
        raise ValidationError("A legal hold is in place: lift it before the record can be destroyed.")
    if pupil.pk not in {p.pk for p in due_pupils(today=today)}:
        raise ValidationError("This record is no longer due for destruction (back on roll, or not yet due).")

    counts: dict[str, int] = {}
    files: list[tuple[Storage, str]] = []
    for hook in PUPIL_DESTROYED_HOOKS:
        part = hook(pupil)
        for kind, n in part.counts.items():
            counts[kind] = counts.get(kind, 0) + n
        files += part.files
    files += [(d.file.storage, d.file.name) for d in pupil.documents.all()]
    destruction.pupil = None
    destruction.save(update_fields=["pupil", "updated_at"])
    for kind, n in delete_rows(Pupil.objects.filter(pk=pupil.pk)).items():
        counts[kind] = counts.get(kind, 0) + n

    destruction.status = Destruction.Status.DESTROYED
    destruction.destroyed_at = timezone.now()
    destruction.destroyed_by = actor
    destruction.destroyed_by_name = actor.full_name or actor.email
    destruction.counts = dict(sorted(counts.items()))
    destruction.files_deleted = len([name for _, name in files if name])
    destruction.save()
    audit.record(
        actor=actor,
        action=audit.Action.DELETE,
        obj=destruction,
        pupil_id=destruction.former_pupil_id,
        summary=f"Record destroyed under the retention rule ({sum(counts.values())} rows, "
        f"{destruction.files_deleted} files)",
    )
    _delete_files_on_commit(files)
    return destruction


# Legal holds ------------------------------------------------------------------------------------------------


@transaction.atomic
def place_hold(*, pupil: Pupil, kind: str, reason: str, actor: User) -> LegalHold:
    """Keep the pupil's record past its retention date. Side effects: the hold; the pupil leaves the due
    list; an audit entry."""
    if not can(actor, DATA_PROTECTION, pupil):
        raise ValidationError("Only the trust's data protection lead can place a legal hold.")
    reason = reason.strip()
    problems = []
    if kind not in LegalHold.Kind.values:
        problems.append("Choose why the record must be kept: a tribunal, a court order or safeguarding.")
    if not reason:
        problems.append("Say why the record must be kept (for example the tribunal's reference).")
    if problems:
        raise ValidationError(problems)
    hold = LegalHold.objects.create(
        trust_id=pupil.trust_id, pupil=pupil, kind=kind, reason=reason[:500], placed_by=actor
    )
    Destruction.objects.filter(pupil=pupil, status=Destruction.Status.DUE).delete()
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=hold,
        pupil_id=pupil.pk,
        summary=f"Legal hold placed ({hold.get_kind_display()}): {reason}"[:300],
    )
    return hold


@transaction.atomic
def lift_hold(*, hold: LegalHold, reason: str, actor: User) -> LegalHold:
    """End a legal hold; the record returns to the due list at the next nightly run if it is due."""
    if not can(actor, DATA_PROTECTION, hold):
        raise ValidationError("Only the trust's data protection lead can lift a legal hold.")
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why the hold can be lifted (for example the appeal was decided).")
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise ValidationError("This hold was already lifted.")
    hold.lifted_at, hold.lifted_by, hold.lift_reason = timezone.now(), actor, reason[:500]
    hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=hold,
        pupil_id=hold.pupil_id,
        summary=f"Legal hold lifted: {reason}"[:300],
    )
    return hold


# A document uploaded by mistake -------------------------------------------------------------------------------


@transaction.atomic
def delete_document(*, document: Document, reason: str, actor: User) -> None:
    """Delete a document uploaded by mistake (the wrong child, the wrong file). Side effects: the row
    deleted; its file removed from storage after commit; an audit entry with the reason."""
    if not can(actor, "documents.manage", document):
        raise ValidationError("Only the pupil's SENCO, headteacher or inclusion lead can delete a document.")
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why the document is being deleted (for example uploaded to the wrong child).")
    files = [(document.file.storage, document.file.name)]
    audit.record(
        actor=actor,
        action=audit.Action.DELETE,
        obj=document,
        pupil_id=document.pupil_id,
        summary=f"Document deleted: {reason}"[:300],
    )
    document.delete()
    _delete_files_on_commit(files)
