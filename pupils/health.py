"""Medical conditions and individual health care plans (IHCPs): who may see them, reading them, writing them.

DfE statutory guidance "Supporting pupils at school with medical conditions" (2015), under section 100 of the
Children and Families Act 2014: a pupil with a medical condition has their needs known to the staff who work
with them, and, where needed, an individual health care plan agreed with the parents and a health
professional, reviewed at least once a year. This is special-category health data: every read and every
write is in the audit trail.

Who sees what (`health_access`): the pupil's casework roles (SENCO, headteacher, inclusion lead) read and
write; the teachers and teaching assistants of the pupil's own groups, and a cover teacher with a grant for
the pupil, read the emergency summary and the plan; nobody else on the staff side (governors and trustees
never; an external professional's grant does not open health data). Parents read their own child's current
plan in the portal and may confirm that they agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from trusts import audit
from trusts.models import Membership, User
from trusts.permissions import HEALTH_REVIEW_RECIPIENT_ROLES, can
from trusts.services import notify

from .models import AccessGrant, HealthCarePlan, MedicalCondition, PlanMedication, PlanTraining, Pupil
from .queries import children_of, own_pupil_ids

MANAGE = "manage"
READ = "read"
TEXT_LIMIT = 4000  # each free-text part of a plan
DETAILS_LIMIT = 2000
REVIEW_WITHIN = timedelta(days=365)  # "at least annually"
REMIND_BEFORE = timedelta(days=30)
NOTIFICATION_KIND = "health_plan_review"


# Who sees what ------------------------------------------------------------------------------------------------


def health_access(user: User, pupil: Pupil) -> str | None:
    """MANAGE for the pupil's casework roles, READ for the staff who teach the pupil (their groups, or a cover
    teacher's grant), None for everyone else (governors, trustees, external professionals, other staff)."""
    if not getattr(user, "is_authenticated", False) or user.trust_id != pupil.trust_id:
        return None
    if can(user, "health.change", pupil):
        return MANAGE
    if can(user, "health.view_own", pupil) and own_pupil_ids(user).filter(pupil_id=pupil.pk).exists():
        return READ
    today = timezone.localdate()
    cover = AccessGrant.objects.filter(
        user=user, pupil=pupil, kind=AccessGrant.Kind.COVER_TEACHER, revoked_at=None, ends_on__gte=today
    )
    return READ if cover.exists() else None


def is_parent_of(user: User, pupil: Pupil) -> bool:
    return can(user, "portal.view") and children_of(user).filter(pk=pupil.pk).exists()


# Reads --------------------------------------------------------------------------------------------------------


def conditions_of(pupil: Pupil) -> QuerySet[MedicalCondition]:
    return MedicalCondition.objects.filter(pupil=pupil).select_related("recorded_by")


def _plans(pupil: Pupil) -> QuerySet[HealthCarePlan]:
    return HealthCarePlan.objects.filter(pupil=pupil).prefetch_related(
        Prefetch("conditions", queryset=MedicalCondition.objects.order_by("condition")),
        "medications",
        "training",
    )


def current_plan(pupil: Pupil) -> HealthCarePlan | None:
    return _plans(pupil).filter(superseded_at=None).first()


def plan_version(pupil: Pupil, pk: int) -> HealthCarePlan | None:
    return _plans(pupil).filter(pk=pk).select_related("written_by").first()


def plan_versions(pupil: Pupil) -> list[HealthCarePlan]:
    return list(HealthCarePlan.objects.filter(pupil=pupil).select_related("written_by").order_by("-version"))


def review_state(plan: HealthCarePlan, today: date | None = None) -> str:
    """ "overdue", "soon" (within REMIND_BEFORE) or "" for a current plan; "" for a superseded one."""
    today = today or timezone.localdate()
    if not plan.current:
        return ""
    if plan.review_due < today:
        return "overdue"
    return "soon" if plan.review_due <= today + REMIND_BEFORE else ""


def emergency_card(*, user: User, pupil: Pupil) -> dict[str, Any] | None:
    """What the record and the passport show about the pupil's health to this viewer, or None when they may
    see none of it. A fixed number of queries; the read is audited when there is anything to show."""
    access = health_access(user, pupil)
    if access is None:
        return None
    plan = (
        HealthCarePlan.objects.filter(pupil=pupil, superseded_at=None)
        .only("pk", "trust_id", "school_id", "pupil_id", "version", "emergency_summary", "review_due", "superseded_at")
        .first()
    )
    conditions = [c.condition for c in MedicalCondition.objects.filter(pupil=pupil, ended_on=None).only("condition")]
    if plan is None and not conditions:
        return {"access": access, "plan": None, "conditions": [], "review": ""}
    audit.record(
        actor=user,
        action=audit.Action.VIEW,
        obj=plan or pupil,
        pupil_id=pupil.pk,
        summary="Emergency health summary",
    )
    return {"access": access, "plan": plan, "conditions": conditions, "review": review_state(plan) if plan else ""}


# Writes: conditions -------------------------------------------------------------------------------------------


def _condition_problems(
    *, condition: str, details: str, source: str, noted_on: date | None, ended_on: date | None, today: date
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not condition.strip():
        problems["condition"] = "Enter the medical condition, for example asthma."
    elif len(condition.strip()) > 150:
        problems["condition"] = "The condition must be 150 characters or fewer."
    if len(details) > DETAILS_LIMIT:
        problems["details"] = f"The details must be {DETAILS_LIMIT} characters or fewer."
    if source not in MedicalCondition.Source.values:
        problems["source"] = "Choose who told the school about the condition."
    if noted_on and noted_on > today:
        problems["noted_on"] = "The date it was diagnosed or noted cannot be in the future."
    if ended_on and ended_on > today:
        problems["ended_on"] = "The date it stopped applying cannot be in the future."
    if ended_on and noted_on and ended_on < noted_on:
        problems["ended_on"] = "The date it stopped applying must be after the date it was noted."
    return problems


@transaction.atomic
def record_condition(
    *,
    pupil: Pupil,
    actor: User,
    condition: str,
    source: str,
    details: str = "",
    noted_on: date | None = None,
    needs_ihcp: bool = False,
) -> MedicalCondition:
    """Add a medical condition to the pupil's record. Side effects: the row; an audit entry."""
    if health_access(actor, pupil) != MANAGE:
        raise ValidationError("Only the pupil's SENCO, headteacher or inclusion lead can record medical conditions.")
    today = timezone.localdate()
    problems = _condition_problems(
        condition=condition, details=details, source=source, noted_on=noted_on, ended_on=None, today=today
    )
    if problems:
        raise ValidationError(problems)
    row = MedicalCondition.objects.create(
        trust_id=pupil.trust_id,
        pupil=pupil,
        condition=condition.strip(),
        details=details.strip(),
        source=source,
        noted_on=noted_on,
        needs_ihcp=needs_ihcp,
        recorded_by=actor,
    )
    audit.record(actor=actor, action=audit.Action.CREATE, obj=row, pupil_id=pupil.pk, school=pupil.school)
    return row


@transaction.atomic
def change_condition(
    *,
    condition_row: MedicalCondition,
    actor: User,
    condition: str,
    source: str,
    details: str = "",
    noted_on: date | None = None,
    needs_ihcp: bool = False,
    ended_on: date | None = None,
) -> MedicalCondition:
    """Correct a condition, or say it no longer applies (`ended_on`). Side effects: the row; an audit entry."""
    pupil = condition_row.pupil
    if health_access(actor, pupil) != MANAGE:
        raise ValidationError("Only the pupil's SENCO, headteacher or inclusion lead can change medical conditions.")
    problems = _condition_problems(
        condition=condition,
        details=details,
        source=source,
        noted_on=noted_on,
        ended_on=ended_on,
        today=timezone.localdate(),
    )
    if problems:
        raise ValidationError(problems)
    condition_row.condition = condition.strip()
    condition_row.details = details.strip()
    condition_row.source = source
    condition_row.noted_on = noted_on
    condition_row.needs_ihcp = needs_ihcp
    condition_row.ended_on = ended_on
    condition_row.save()
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=condition_row, pupil_id=pupil.pk, school=pupil.school)
    return condition_row


# Writes: the plan ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Medication:
    name: str
    dose: str
    when: str
    given_by: str
    kept_where: str
    expires_on: date | None = None


@dataclass(frozen=True)
class Training:
    staff_name: str
    training: str
    trained_on: date


PLAN_TEXTS = ("triggers", "daily_care", "trips", "exams", "contacts")


def _plan_problems(
    *,
    pupil: Pupil,
    fields: dict[str, Any],
    condition_ids: list[int],
    medications: list[Medication],
    training: list[Training],
    today: date,
) -> tuple[dict[str, list[str]], list[MedicalCondition]]:
    problems: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        problems.setdefault(key, []).append(message)

    conditions = list(MedicalCondition.objects.filter(pupil=pupil, pk__in=condition_ids))
    if not condition_ids:
        add("conditions", "Choose the medical condition or conditions this plan covers.")
    elif len(conditions) != len(set(condition_ids)):
        add("conditions", "Choose only conditions recorded for this pupil.")
    summary = fields["emergency_summary"].strip()
    if not summary:
        add("emergency_summary", "Enter a short emergency summary: what to look for and what to do first.")
    elif len(summary) > 300:
        add("emergency_summary", "The emergency summary must be 300 characters or fewer: it is shown on the passport.")
    steps = fields["emergency_steps"].strip()
    if not steps:
        add("emergency_steps", "Enter what to do in an emergency, step by step.")
    for key in ("emergency_steps", *PLAN_TEXTS):
        if len(fields[key]) > TEXT_LIMIT:
            add(key, f"This must be {TEXT_LIMIT} characters or fewer.")
    review_due: date | None = fields["review_due"]
    if review_due is None:
        add("review_due", "Enter the date the plan will be reviewed.")
    elif review_due <= today:
        add("review_due", "The review date must be in the future.")
    elif review_due > today + REVIEW_WITHIN:
        add("review_due", "The plan must be reviewed at least once a year: choose a date within 12 months.")
    if fields["parent_agreed_by"].strip() and fields["parent_agreed_on"] is None:
        add("parent_agreed_on", "Enter the date the parent or carer agreed the plan.")
    if fields["parent_agreed_on"] is not None and not fields["parent_agreed_by"].strip():
        add("parent_agreed_by", "Enter the name of the parent or carer who agreed the plan.")
    if fields["parent_agreed_on"] is not None and fields["parent_agreed_on"] > today:
        add("parent_agreed_on", "The date the parent agreed cannot be in the future.")
    professional = [fields["professional_name"].strip(), fields["professional_role"].strip()]
    if any(professional) or fields["professional_agreed_on"] is not None:
        if not professional[0]:
            add("professional_name", "Enter the name of the health professional who agreed the plan.")
        if not professional[1]:
            add("professional_role", "Enter their role, for example asthma nurse or consultant.")
        if fields["professional_agreed_on"] is None:
            add("professional_agreed_on", "Enter the date the health professional agreed the plan.")
        elif fields["professional_agreed_on"] > today:
            add("professional_agreed_on", "The date the health professional agreed cannot be in the future.")
    for n, m in enumerate(medications, start=1):
        parts = [
            ("the name", m.name),
            ("the dose", m.dose),
            ("when it is given", m.when),
            ("who gives it", m.given_by),
            ("where it is kept", m.kept_where),
        ]
        missing = [label for label, value in parts if not value.strip()]
        if missing:
            add("__all__", f"Medicine {n}: enter {', '.join(missing)}.")
        if m.expires_on is not None and m.expires_on < today:
            add("__all__", f"Medicine {n} ({m.name or 'unnamed'}) is past its expiry date: replace it first.")
    for n, t in enumerate(training, start=1):
        if not t.staff_name.strip() or not t.training.strip():
            add("__all__", f"Training {n}: enter who was trained and in what.")
        if t.trained_on > today:
            add("__all__", f"Training {n}: the training date cannot be in the future.")
    return problems, conditions


def plan_problems(
    *, pupil: Pupil, condition_ids: list[int], medications: list[Medication], training: list[Training], **fields: Any
) -> dict[str, list[str]]:
    """Everything `write_plan` would refuse, writing nothing (so a form shows every problem at once)."""
    blank: dict[str, Any] = dict.fromkeys(("emergency_summary", "emergency_steps", *PLAN_TEXTS), "")
    blank |= dict.fromkeys(("parent_agreed_by", "professional_name", "professional_role"), "")
    blank |= dict.fromkeys(("review_due", "parent_agreed_on", "professional_agreed_on"))
    return _plan_problems(
        pupil=pupil,
        fields=blank | {k: v for k, v in fields.items() if k in blank},
        condition_ids=condition_ids,
        medications=medications,
        training=training,
        today=timezone.localdate(),
    )[0]


@transaction.atomic
def write_plan(
    *,
    pupil: Pupil,
    actor: User,
    condition_ids: list[int],
    emergency_summary: str,
    emergency_steps: str,
    review_due: date | None,
    triggers: str = "",
    daily_care: str = "",
    trips: str = "",
    exams: str = "",
    contacts: str = "",
    ehcp_section_c: bool = False,
    parent_agreed_by: str = "",
    parent_agreed_on: date | None = None,
    professional_name: str = "",
    professional_role: str = "",
    professional_agreed_on: date | None = None,
    medications: list[Medication] | None = None,
    training: list[Training] | None = None,
    today: date | None = None,
) -> HealthCarePlan:
    """Write the pupil's plan: the first version, or (when one is in force) its next version after a review,
    keeping the earlier one read-only.

    Every problem is collected and nothing is written unless all pass. Side effects: the new version with its
    conditions, medicines and training; the previous version marked superseded; audit entries for both.
    """
    if health_access(actor, pupil) != MANAGE:
        raise ValidationError("Only the pupil's SENCO, headteacher or inclusion lead can write a health care plan.")
    today = today or timezone.localdate()
    medications, training = medications or [], training or []
    fields: dict[str, Any] = {
        "emergency_summary": emergency_summary,
        "emergency_steps": emergency_steps,
        "review_due": review_due,
        "triggers": triggers,
        "daily_care": daily_care,
        "trips": trips,
        "exams": exams,
        "contacts": contacts,
        "parent_agreed_by": parent_agreed_by,
        "parent_agreed_on": parent_agreed_on,
        "professional_name": professional_name,
        "professional_role": professional_role,
        "professional_agreed_on": professional_agreed_on,
    }
    problems, conditions = _plan_problems(
        pupil=pupil, fields=fields, condition_ids=condition_ids, medications=medications, training=training, today=today
    )
    if problems:
        raise ValidationError(problems)
    previous = HealthCarePlan.objects.select_for_update().filter(pupil=pupil, superseded_at=None).first()
    if previous is not None:
        previous.superseded_at = timezone.now()
        previous.save(update_fields=["superseded_at", "updated_at"])
        audit.record(
            actor=actor,
            action=audit.Action.CHANGE,
            obj=previous,
            pupil_id=pupil.pk,
            summary=f"Health care plan version {previous.version} reviewed and kept as a past version",
        )
    last = HealthCarePlan.objects.filter(pupil=pupil).order_by("-version").values_list("version", flat=True).first()
    texts = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    plan = HealthCarePlan.objects.create(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        version=(last or 0) + 1,
        ehcp_section_c=ehcp_section_c,
        written_by=actor,
        **texts,
    )
    plan.conditions.set(conditions)
    PlanMedication.objects.bulk_create(
        PlanMedication(
            trust_id=pupil.trust_id,
            plan=plan,
            name=m.name.strip(),
            dose=m.dose.strip(),
            when=m.when.strip(),
            given_by=m.given_by.strip(),
            kept_where=m.kept_where.strip(),
            expires_on=m.expires_on,
        )
        for m in medications
    )
    PlanTraining.objects.bulk_create(
        PlanTraining(
            trust_id=pupil.trust_id,
            plan=plan,
            staff_name=t.staff_name.strip(),
            training=t.training.strip(),
            trained_on=t.trained_on,
        )
        for t in training
    )
    MedicalCondition.objects.filter(pk__in=[c.pk for c in conditions]).update(needs_ihcp=True)
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=plan,
        pupil_id=pupil.pk,
        summary=f"Health care plan version {plan.version}, review due {plan.review_due:%-d %b %Y}",
    )
    return plan


@transaction.atomic
def confirm_parent_agreement(*, plan: HealthCarePlan, parent: User, today: date | None = None) -> HealthCarePlan:
    """A parent confirms in the portal that they agree with their child's current plan. Side effects: the
    plan's parent agreement (their name, the day, their account); an audit entry."""
    pupil = plan.pupil
    if not is_parent_of(parent, pupil):
        raise ValidationError("Only the child's parent or carer can agree the plan.")
    if not plan.current:
        raise ValidationError("This plan has been replaced by a newer one: read the newer plan first.")
    contact = pupil.contacts.filter(user=parent).first()
    plan.parent_agreed_by = contact.name if contact else (parent.full_name or parent.email)
    plan.parent_agreed_on = today or timezone.localdate()
    plan.parent_agreed_user = parent
    plan.save(update_fields=["parent_agreed_by", "parent_agreed_on", "parent_agreed_user", "updated_at"])
    audit.record(
        actor=parent, action=audit.Action.CHANGE, obj=plan, pupil_id=pupil.pk, summary="Parent agreed the plan"
    )
    return plan


# Review reminders ---------------------------------------------------------------------------------------------


def remind_reviews(*, today: date) -> int:
    """For the trust in scope: tell the SENCO and headteacher of the pupil's school when a current plan's review
    is within REMIND_BEFORE, and again once it is overdue. Each notice goes at most once per plan version and
    person (dedupe keys), so running daily, twice, or after downtime notifies once. Notices name no pupil
    (they are emailed); the link opens the plan. Returns how many notifications were created."""
    plans = (
        HealthCarePlan.objects.filter(superseded_at=None, review_due__lte=today + REMIND_BEFORE)
        .select_related("school")
        .order_by("pk")
    )
    plans_list = list(plans)
    if not plans_list:
        return 0
    recipients: dict[int, list[User]] = {}
    memberships = Membership.objects.filter(
        school_id__in={p.school_id for p in plans_list}, role__in=HEALTH_REVIEW_RECIPIENT_ROLES, user__is_active=True
    ).select_related("user")
    for m in memberships:
        if m.school_id is not None and m.user not in recipients.setdefault(m.school_id, []):
            recipients[m.school_id].append(m.user)
    sent = 0
    for plan in plans_list:
        overdue = plan.review_due < today
        stage = "overdue" if overdue else "due"
        when = f"{plan.review_due:%-d %B %Y}"
        text = (
            f"An individual health care plan at {plan.school.name} is overdue for review (due {when})."
            if overdue
            else f"An individual health care plan at {plan.school.name} is due for review on {when}."
        )
        for user in recipients.get(plan.school_id, []):
            note = notify(
                recipient=user,
                kind=NOTIFICATION_KIND,
                text=text,
                link=reverse("pupils:health", args=[plan.pupil_id]),
                dedupe_key=f"ihcp:{plan.pk}:{stage}",
            )
            sent += note is not None
    return sent
