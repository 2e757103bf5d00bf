"""Statutory deadlines, trust deadline settings, EHC needs assessments and EHC plans (sections A-K).

Dates that the law fixes live in `ehcp.rules`; the rows here store what the engine (`ehcp.deadlines`)
computed from them, so a report can always say which rule and which trigger a date came from.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django_scopes import ScopedManager

from pupils.models import Pupil
from trusts.models import School, TimeStamped, Trust

from . import rules

RULE_CHOICES = [(rule_id, f"{rule_id}: {rule.action}") for rule_id, rule in rules.RULES.items()]
EXCEPTION_CHOICES = list(rules.EXCEPTION_LABELS.items())
DEFAULT_REMINDER_DAYS: tuple[int, ...] = (14, 7, 1)
NOT_ON_ROLL = "a child not yet on roll"


class SubjectType(models.TextChoices):
    """What a deadline is about. Generic on purpose: `reviews` owns annual reviews without ehcp importing it."""

    NEEDS_ASSESSMENT = "needs_assessment", "EHC needs assessment"
    EHC_PLAN = "ehc_plan", "EHC plan"
    ANNUAL_REVIEW = "annual_review", "Annual review"
    PHASE_TRANSFER = "phase_transfer", "Phase transfer"
    PUPIL = "pupil", "Pupil"
    CONSULTATION = "consultation", "Consultation on naming the school"


class Responsible(models.TextChoices):
    LA = "la", "Local authority"
    SCHOOL = "school", "School"
    PARENT = "parent", "Parent or young person"
    HEADTEACHER = "headteacher", "Headteacher"


class Deadline(TimeStamped):
    """One statutory time limit for one subject: the rule, its trigger, and the date to act by.

    `statutory_due` is what the law gives; `internal_due` a trust's stricter target (never later);
    `due` the earlier of the two, the date people see and are reminded about.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MET = "met", "Met"
        MISSED = "missed", "Missed"
        WAIVED = "waived", "Waived"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="deadlines")
    # Empty only while the child is not on roll (A5 for a consultation on naming the school, set on linking).
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="deadlines", null=True, blank=True)
    rule_id = models.CharField("rule", max_length=4, choices=RULE_CHOICES)
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    trigger_date = models.DateField()
    meeting_date = models.DateField(null=True, blank=True, help_text="The anchor of rules counted back from a meeting.")
    post16 = models.BooleanField(default=False)
    statutory_due = models.DateField()
    internal_due = models.DateField(null=True, blank=True)
    due = models.DateField()
    responsible = models.CharField(max_length=12, choices=Responsible.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    met_on = models.DateField(null=True, blank=True)
    exception_kind = models.CharField(max_length=30, blank=True, choices=EXCEPTION_CHOICES)
    exception_evidence = models.TextField(blank=True)
    waived_reason = models.CharField(max_length=300, blank=True)
    # The LA acted inside a window the law keeps open for the parent or school (a final plan inside the 15
    # days of A4/A5, an amended plan inside R7): no longer theirs to meet, and shown as the LA's breach.
    la_breach = models.BooleanField(default=False)
    # The smallest "days before" reminder already sent for the current due date (the sweep's claim).
    reminder_offset_sent = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id", "rule_id"], name="deadline_once_per_subject"),
            models.CheckConstraint(
                condition=models.Q(internal_due=None) | models.Q(internal_due__lte=models.F("statutory_due")),
                name="deadline_internal_never_later",
            ),
            models.CheckConstraint(condition=models.Q(due__lte=models.F("statutory_due")), name="deadline_due_by_law"),
        ]
        indexes = [
            models.Index(fields=["trust", "status", "due"]),
            # The sweep's candidates (open, due by the reminder horizon, in due order) and the open lists: only
            # the open deadlines (a few percent of the rows once the years pile up) in the order they are read.
            models.Index(
                fields=["trust", "due", "id"], condition=models.Q(status="open"), name="deadline_open_trust_due"
            ),
            models.Index(fields=["trust", "school", "due"]),
            models.Index(fields=["trust", "pupil", "due"]),
            # The trust figures' cache key reads the newest change per trust.
            models.Index(fields=["trust", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} for {self.pupil or NOT_ON_ROLL}: {self.rule.action} by {self.due:%-d %B %Y}"

    @property
    def child_label(self) -> str:
        """The pupil, or "a child not yet on roll" (a consultation before admission has no pupil yet)."""
        return self.pupil.display_name if self.pupil is not None else NOT_ON_ROLL

    @property
    def rule(self) -> rules.Rule:
        return rules.get_rule(self.rule_id)

    @property
    def wording(self) -> str:
        return self.rule.wording

    @property
    def source(self) -> str:
        return self.rule.source

    @property
    def is_la(self) -> bool:
        return self.responsible == Responsible.LA

    @property
    def has_internal_target(self) -> bool:
        return self.internal_due is not None and self.internal_due < self.statutory_due

    @property
    def met_late(self) -> bool:
        """Met, but after the date shown (the stricter of the trust's target and the law)."""
        return self.met_on is not None and self.met_on > self.due

    @property
    def days_late(self) -> int:
        if self.met_on is None:
            return 0
        return max(0, (self.met_on - self.due).days)

    @property
    def met_within_statute(self) -> bool:
        return self.met_on is not None and self.met_on <= self.statutory_due

    @property
    def exception_label(self) -> str:
        return rules.EXCEPTION_LABELS.get(self.exception_kind, "")

    @property
    def subject_label(self) -> str:
        if self.subject_type in SubjectType.values:
            return str(SubjectType(self.subject_type).label)
        return self.subject_type.replace("_", " ").capitalize()

    @property
    def act_url(self) -> str:
        """Where a person acts on this deadline (the subject's page, else the deadline's own page)."""
        from .deadlines import deadline_link

        return deadline_link(self)

    def overdue_on(self, today: date) -> bool:
        return self.status in {self.Status.OPEN, self.Status.MISSED} and self.due < today


class DeadlineSetting(TimeStamped):
    """A trust's own choices for one rule: a stricter internal target and when to remind people.

    The target is "within N weeks/days" of the trigger (or "N weeks/days before" the meeting for R3/R4);
    it can only make a date earlier. Reminder offsets are days before the date shown.
    """

    class Unit(models.TextChoices):
        WEEKS = "weeks", "weeks"
        DAYS = "days", "days"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    rule_id = models.CharField("rule", max_length=4, choices=RULE_CHOICES)
    target_amount = models.PositiveSmallIntegerField(null=True, blank=True)
    target_unit = models.CharField(max_length=5, choices=Unit.choices, default=Unit.WEEKS)
    reminder_days = models.JSONField(default=list, blank=True, help_text="Days before the date, e.g. [42, 14, 7].")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["rule_id"]
        constraints = [models.UniqueConstraint(fields=["trust", "rule_id"], name="deadline_setting_once_per_rule")]

    def __str__(self) -> str:
        return f"{self.rule_id} settings"

    @property
    def reminders(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.reminder_days or DEFAULT_REMINDER_DAYS), reverse=True))

    def clean(self) -> None:
        from .deadlines import setting_problems

        problems = setting_problems(
            rule_id=self.rule_id,
            target_amount=self.target_amount,
            target_unit=self.target_unit,
            reminder_days=list(self.reminder_days or []),
        )
        if problems:
            raise ValidationError(problems)


# Needs assessments ------------------------------------------------------------------------------


class NeedsAssessment(TimeStamped):
    """An EHC needs assessment (or re-assessment) from the request to the LA's final answer."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "EHC needs assessment"
        REASSESSMENT = "reassessment", "Re-assessment"

    class RequestedBy(models.TextChoices):
        SCHOOL = "school", "The school"
        PARENT = "parent", "A parent or carer"
        YOUNG_PERSON = "young_person", "The young person"
        OTHER = "other", "Someone else (for example a health professional)"

    class Decision(models.TextChoices):
        PENDING = "pending", "Waiting for the LA's decision"
        ASSESS = "assess", "The LA will assess"
        NOT_ASSESS = "not_assess", "The LA will not assess"

    class Outcome(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        PLAN_ISSUED = "plan_issued", "Final EHC plan issued"
        NO_PLAN = "no_plan", "Notice that no plan will be issued"
        NOT_ASSESSED = "not_assessed", "The LA decided not to assess"
        WITHDRAWN = "withdrawn", "Withdrawn"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="needs_assessments")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="needs_assessments")
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.INITIAL)
    requested_by = models.CharField(max_length=15, choices=RequestedBy.choices)
    requested_by_detail = models.CharField(max_length=200, blank=True)
    request_received_on = models.DateField(
        help_text="The day the LA received the request (or gave notice to re-assess)."
    )
    local_authority = models.CharField(max_length=100)
    needs_changed = models.BooleanField(default=False, help_text="Re-assessment within 6 months: needs have changed.")
    decision = models.CharField(max_length=12, choices=Decision.choices, default=Decision.PENDING)
    decision_on = models.DateField(null=True, blank=True)
    advice_requested_on = models.DateField(null=True, blank=True, help_text="The day the school got the LA's request.")
    advice_sent_on = models.DateField(null=True, blank=True)
    draft_served_on = models.DateField(null=True, blank=True)
    # When the LA consulted the school it proposes to name, if later than the draft (A5 counts from it).
    school_consulted_on = models.DateField(null=True, blank=True)
    parent_comments_on = models.DateField(null=True, blank=True)
    consultation_sent_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=15, choices=Outcome.choices, default=Outcome.IN_PROGRESS)
    outcome_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-request_received_on", "-id"]
        indexes = [
            models.Index(fields=["trust", "school", "outcome"]),
            models.Index(fields=["trust", "pupil"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.pupil} (requested {self.request_received_on:%-d %B %Y})"

    @property
    def in_progress(self) -> bool:
        return self.outcome == self.Outcome.IN_PROGRESS


# EHC plans --------------------------------------------------------------------------------------


class CeaseReason(models.TextChoices):
    """Why the LA stopped maintaining a plan (CFA 2014 s.45; SEND Regulations 2014 reg 29–31; CoP 9.199–9.210)."""

    AFTER_REVIEW = "after_review", "The LA decided after an annual review that the plan is no longer needed"
    NO_LONGER_NEEDED = "no_longer_needed", "The LA decided, outside a review, that the plan is no longer needed"
    LEFT_EDUCATION = "left_education", "The young person left education or training (16 or over)"
    OTHER = "other", "Another reason"


class EhcPlan(TimeStamped):
    """A pupil's EHC plan. Its content lives in versions (issued, then each amendment), never overwritten."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="ehc_plans")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="ehc_plans")
    assessment = models.ForeignKey(
        NeedsAssessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="plans"
    )
    local_authority = models.CharField(max_length=100)
    first_issued_on = models.DateField()
    ceased_on = models.DateField(null=True, blank=True)
    cease_reason = models.CharField(max_length=20, blank=True, choices=CeaseReason.choices)
    cease_notes = models.TextField(blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-first_issued_on", "-id"]
        indexes = [models.Index(fields=["trust", "school", "ceased_on"]), models.Index(fields=["trust", "pupil"])]

    def __str__(self) -> str:
        return f"EHC plan for {self.pupil} (issued {self.first_issued_on:%-d %B %Y})"

    @property
    def active(self) -> bool:
        return self.ceased_on is None


def plan_pdf_path(instance: PlanVersion, filename: str) -> str:
    # Random names: the original name is kept in the row, never trusted on disk.
    import uuid

    return f"ehc_plans/{instance.trust_id}/{uuid.uuid4().hex}.pdf"


SECTIONS: list[tuple[str, str, str]] = [
    ("section_a", "A", "The child or young person's views, interests and aspirations"),
    ("section_b", "B", "Special educational needs"),
    ("section_c", "C", "Health needs related to their SEN"),
    ("section_d", "D", "Social care needs related to their SEN or disability"),
    ("section_e", "E", "Outcomes"),
    ("section_f", "F", "Special educational provision"),
    ("section_g", "G", "Health provision"),
    ("section_h1", "H1", "Social care provision (Chronically Sick and Disabled Persons Act 1970, s.2)"),
    ("section_h2", "H2", "Other social care provision"),
    ("section_i", "I", "Placement: the school or other institution named"),
    ("section_j", "J", "Personal budget"),
    ("section_k", "K", "Advice and information gathered during the assessment"),
]


class PlanSections(TimeStamped):
    """Sections A to K of an EHC plan's wording: an issued version's, or a draft's the LA sent."""

    section_a = models.TextField(blank=True)
    section_b = models.TextField(blank=True)
    section_c = models.TextField(blank=True)
    section_d = models.TextField(blank=True)
    section_e = models.TextField(blank=True)
    section_f = models.TextField(blank=True)
    section_g = models.TextField(blank=True)
    section_h1 = models.TextField(blank=True)
    section_h2 = models.TextField(blank=True)
    section_i = models.TextField(blank=True)
    section_j = models.TextField(blank=True)
    section_k = models.TextField(blank=True)

    class Meta:
        abstract = True

    def sections(self) -> list[tuple[str, str, str]]:
        """(letter, title, text) for each of sections A to K."""
        return [(letter, title, getattr(self, field)) for field, letter, title in SECTIONS]


class PlanVersion(PlanSections):
    """One issued version of an EHC plan: the first issue or an amendment, with sections A to K."""

    class Kind(models.TextChoices):
        ISSUED = "issued", "Issued"
        AMENDED = "amended", "Amended"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    plan = models.ForeignKey(EhcPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    issued_on = models.DateField()
    local_authority = models.CharField(max_length=100)
    placement = models.CharField("named placement", max_length=200)
    pdf = models.FileField(upload_to=plan_pdf_path, max_length=300, blank=True)
    pdf_name = models.CharField(max_length=200, blank=True)
    pdf_size = models.PositiveIntegerField(default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.plan.pupil} EHC plan, version {self.number} ({self.get_kind_display().lower()})"


class PlanOutcome(TimeStamped):
    """An outcome in section E, to which the provision of section F is linked."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=500)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["version", "position", "id"]

    def __str__(self) -> str:
        return self.text


class ProvisionLine(TimeStamped):
    """One line of special educational provision (section F): what, how much, how often, who."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="provision")
    outcome = models.ForeignKey(PlanOutcome, on_delete=models.SET_NULL, null=True, blank=True, related_name="provision")
    description = models.CharField(max_length=500)
    hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    frequency = models.CharField(max_length=100, help_text="For example weekly, daily, termly.")
    delivered_by = models.CharField(max_length=150, help_text="For example teaching assistant, speech therapist.")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["version", "id"]

    def __str__(self) -> str:
        return self.description


class PhaseTransfer(TimeStamped):
    """A move between phases (Nursery to Reception, Year 6 to 7, Year 11 to post-16): the subject of R9."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="phase_transfers")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="phase_transfers")
    plan = models.ForeignKey(EhcPlan, on_delete=models.CASCADE, related_name="phase_transfers")
    from_year = models.CharField(max_length=2)
    transfer_year = models.PositiveSmallIntegerField(help_text="The calendar year in which the pupil moves.")
    post16 = models.BooleanField(default=False)
    new_school = models.CharField(max_length=200, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-transfer_year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "transfer_year"], name="one_phase_transfer_per_plan_year")
        ]

    def __str__(self) -> str:
        where = "post-16" if self.post16 else f"from Year {self.from_year}"
        return f"Phase transfer of {self.pupil} ({where}) in {self.transfer_year}"


def consultation_draft_path(instance: Consultation, filename: str) -> str:
    import uuid  # random names: the original name is kept in the row, never trusted on disk

    return f"consultations/{instance.trust_id}/{uuid.uuid4().hex}"


class Consultation(TimeStamped):
    """The LA asks a school whether it can be named in the EHC plan of a child not yet on roll (CFA 2014 s.39(2);
    CoP 9.78-9.83): the school replies within 15 days (A5); a named child's is linked to them on arrival."""

    class Status(models.TextChoices):
        AWAITING = "awaiting", "Awaiting our reply"
        REPLIED = "replied", "Replied, waiting for the LA"
        NAMED = "named", "The LA named the school"
        NOT_NAMED = "not_named", "The LA did not name the school"
        WITHDRAWN = "withdrawn", "Withdrawn by the LA"

    OPEN_STATUSES = (Status.AWAITING, Status.REPLIED)

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="consultations")
    local_authority = models.CharField(max_length=100)
    consulted_on = models.DateField(help_text="The day the school received the LA's consultation.")
    child_name = models.CharField(max_length=200)
    child_date_of_birth = models.DateField()
    draft = models.FileField(upload_to=consultation_draft_path, max_length=300)
    draft_name = models.CharField(max_length=200)
    draft_content_type = models.CharField(max_length=100)
    draft_size = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AWAITING)
    response = models.TextField(blank=True)
    replied_on = models.DateField(null=True, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    outcome_notes = models.CharField(max_length=300, blank=True)
    pupil = models.ForeignKey(Pupil, on_delete=models.SET_NULL, null=True, blank=True, related_name="consultations")
    linked_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-consulted_on", "-id"]
        indexes = [models.Index(fields=["trust", "school", "status"])]

    def __str__(self) -> str:
        return f"Consultation on naming {self.school} for {self.child_name} ({self.consulted_on:%-d %B %Y})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


# The wording checks of drafts the LA sent (ehcp.wording) live beside, and are importable from here too.
from .draft_models import DraftWording  # noqa: E402, F401
