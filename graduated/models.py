"""The graduated approach: assess-plan-do-review cycles, their outcomes, the provision catalogue, delivery
logs and meetings with parents (CoP 6.44-6.56, 6.65).

What parents may read is marked on each item (`share_with_parents`); notes written for staff (assessment
notes, review notes, meeting notes) are never shown to parents. `graduated.queries.plan_for_parent` is
the one place that decides.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django_scopes import ScopedManager

from pupils.models import Pupil
from register.models import BroadArea
from trusts.models import School, TimeStamped, Trust

from . import costs


class StaffRole(models.TextChoices):
    TEACHER = "teacher", "Teacher"
    TA = "ta", "Teaching assistant"
    HLTA = "hlta", "Higher level teaching assistant (HLTA)"
    SPECIALIST = "specialist", "Specialist staff in school"
    EXTERNAL = "external", "External professional"


class Wave(models.IntegerChoices):
    # Trust policy 000 ("The Graduated Approach"): wave 1 quality-first teaching, wave 2 targeted small
    # group, wave 3 specialist or 1:1.
    ONE = 1, "Wave 1: quality-first teaching"
    TWO = 2, "Wave 2: targeted, small group"
    THREE = 3, "Wave 3: specialist or one-to-one"


class StaffRate(TimeStamped):
    """What an hour of one kind of staff time costs the school (the provision map's rate table)."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff_rates")
    role = models.CharField(max_length=12, choices=StaffRole.choices)
    hourly_rate = models.DecimalField(max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["school", "role"]
        constraints = [
            models.UniqueConstraint(fields=["school", "role"], name="one_rate_per_school_role"),
            models.CheckConstraint(condition=models.Q(hourly_rate__gte=0), name="rate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: £{self.hourly_rate}/hour"


class Provision(TimeStamped):
    """One intervention or support the school offers (its catalogue): who runs it, how often, for how many."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="provisions")
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True, help_text="What happens in a session, in words parents understand.")
    wave = models.PositiveSmallIntegerField(choices=Wave.choices)
    area = models.CharField("area of need", max_length=20, choices=BroadArea.choices)
    staff_role = models.CharField("run by", max_length=12, choices=StaffRole.choices)
    group_size = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    sessions_per_week = models.DecimalField(
        max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    minutes_per_session = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["wave", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="provision_name_unique_in_school"),
            models.CheckConstraint(condition=models.Q(group_size__gte=1), name="provision_group_at_least_one"),
            models.CheckConstraint(condition=models.Q(minutes_per_session__gte=1), name="provision_minutes_positive"),
            models.CheckConstraint(condition=models.Q(sessions_per_week__gt=0), name="provision_sessions_positive"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="provision_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["trust", "school", "wave"])]

    def __str__(self) -> str:
        return self.name

    @property
    def hours_per_year(self) -> Decimal:
        return costs.hours_per_year(self.sessions_per_week, self.minutes_per_session)

    @property
    def how_often(self) -> str:
        """In plain words: "3 times a week, 20 minutes each, in a group of up to 4"."""
        sessions = self.sessions_per_week.normalize()
        times = {Decimal("0.5"): "once a fortnight", Decimal(1): "once a week", Decimal(2): "twice a week"}.get(
            sessions, f"{sessions:f} times a week"
        )
        who = "one-to-one" if self.group_size == 1 else f"in a group of up to {self.group_size}"
        return f"{times}, {self.minutes_per_session} minutes each, {who}"


class Cycle(TimeStamped):
    """One assess-plan-do-review cycle for a pupil on SEN support (K) or with an EHC plan (E)."""

    class Status(models.TextChoices):
        ASSESSING = "assessing", "Assess and plan"
        ACTIVE = "active", "Plan in place"
        REVIEWED = "reviewed", "Reviewed"

    class NextStep(models.TextChoices):
        NEW_CYCLE = "new_cycle", "Start a new cycle (outcomes not achieved are carried forward)"
        MONITORING = "monitoring", "Move to monitoring (off SEN support)"
        LEAVE = "leave", "Leave the SEN register"
        EHC_REQUEST = "ehc_request", "Request an EHC needs assessment"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="support_cycles")
    number = models.PositiveSmallIntegerField()
    previous = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_cycle")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASSESSING)
    started_on = models.DateField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    # Assess (staff only, except the one-page profile below).
    assess_notes = models.TextField("what the assessment found (staff only)", blank=True)
    outside_advice = models.TextField("advice from outside professionals (staff only)", blank=True)
    pupil_views = models.TextField("the pupil's views", blank=True)
    parent_views = models.TextField("parents' views", blank=True)

    # The one-page profile: shared with parents and the pupil's teachers (the pupil passport).
    liked_admired = models.TextField("what people like and admire about me", blank=True)
    important_to_me = models.TextField("what is important to me", blank=True)
    how_to_support = models.TextField("how best to support me", blank=True)

    # Plan.
    expected_impact = models.TextField("expected impact", blank=True)
    review_date = models.DateField(null=True, blank=True)
    planned_on = models.DateField(null=True, blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Review.
    reviewed_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_pupil_views = models.TextField("the pupil's views at the review", blank=True)
    review_parent_views = models.TextField("parents' views at the review", blank=True)
    review_notes = models.TextField("review notes (staff only)", blank=True)
    next_step = models.CharField(max_length=12, choices=NextStep.choices, blank=True)
    parents_told_on = models.DateField("date parents were told", null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["pupil", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "number"], name="cycle_number_unique_per_pupil"),
            models.UniqueConstraint(
                fields=["pupil"], condition=~models.Q(status="reviewed"), name="one_open_cycle_per_pupil"
            ),
        ]
        indexes = [
            models.Index(fields=["trust", "school", "status", "review_date"]),
            models.Index(fields=["trust", "pupil", "number"]),
        ]

    def __str__(self) -> str:
        return f"Support cycle {self.number} for {self.pupil}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.REVIEWED


class AssessmentResult(TimeStamped):
    """A test or assessment taken during the assess stage (e.g. a standardised reading score)."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="assessments")
    name = models.CharField(max_length=150)
    taken_on = models.DateField()
    score = models.DecimalField(max_digits=8, decimal_places=2)
    scale = models.CharField(max_length=100, help_text="For example: standardised score (average 100).")
    notes = models.CharField(max_length=300, blank=True)
    share_with_parents = models.BooleanField(default=False)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["taken_on", "pk"]

    def __str__(self) -> str:
        return f"{self.name}: {self.score:g} ({self.scale})"


class Outcome(TimeStamped):
    """One specific, measurable outcome of a plan, and at review how far it was achieved."""

    class Result(models.TextChoices):
        ACHIEVED = "achieved", "Achieved"
        PARTLY = "partly", "Partly achieved"
        NOT_ACHIEVED = "not", "Not achieved"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField(default=1)
    description = models.TextField(help_text="What the pupil will be able to do.")
    baseline = models.CharField("where the pupil is now (baseline)", max_length=300)
    target = models.CharField(max_length=300)
    measured_by = models.CharField("how it is measured", max_length=300)
    baseline_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    target_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_into"
    )
    share_with_parents = models.BooleanField(default=True)
    result = models.CharField(max_length=10, choices=Result.choices, blank=True)
    evidence = models.TextField(blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["cycle", "position", "pk"]

    def __str__(self) -> str:
        return self.description[:80]


class Strategy(TimeStamped):
    """A classroom strategy: together they make the pupil passport every teacher of the pupil reads."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="strategies")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=300)
    share_with_parents = models.BooleanField(default=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["cycle", "position", "pk"]
        verbose_name_plural = "strategies"

    def __str__(self) -> str:
        return self.text


class Allocation(TimeStamped):
    """A provision from the catalogue planned for one pupil in one cycle."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="allocations")
    provision = models.ForeignKey(Provision, on_delete=models.PROTECT, related_name="allocations")
    notes = models.CharField(max_length=300, blank=True)
    share_with_parents = models.BooleanField(default=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["cycle", "provision__wave", "provision__name"]
        constraints = [models.UniqueConstraint(fields=["cycle", "provision"], name="provision_once_per_cycle")]
        # (trust, updated_at): the newest allocation of the trust, for the trust figures' fingerprint.
        indexes = [models.Index(fields=["trust", "school", "provision"]), models.Index(fields=["trust", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.provision} for {self.cycle.pupil}"


class MissedReason(models.TextChoices):
    """Why a session was not delivered to a pupil: the pupil's absence, or the session not happening."""

    PUPIL_ABSENT = "pupil_absent", "The pupil was absent"
    STAFF_ABSENT = "staff_absent", "Staff were absent"
    CANCELLED = "cancelled", "The session was cancelled"


class GroupSession(TimeStamped):
    """One session of a group provision, logged once for everyone in it (graduated.services.log_group_session):
    each pupil's DeliveryLog points here. A session that did not happen has `took_place` off and a reason."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    provision = models.ForeignKey(Provision, on_delete=models.CASCADE, related_name="group_sessions")
    session_date = models.DateField()
    took_place = models.BooleanField(default=True)
    missed_reason = models.CharField(max_length=14, choices=MissedReason.choices, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-session_date", "-pk"]
        indexes = [models.Index(fields=["trust", "provision", "session_date"])]

    def __str__(self) -> str:
        return f"{self.provision} group session on {self.session_date:%-d %b %Y}"


class DeliveryLog(TimeStamped):
    """One session of a provision: delivered or missed, with a short note and perhaps a score."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="delivery_logs")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="deliveries")
    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="deliveries")
    outcome = models.ForeignKey(Outcome, on_delete=models.SET_NULL, null=True, blank=True, related_name="scores")
    session_date = models.DateField()
    attended = models.BooleanField()
    note = models.CharField(max_length=300, blank=True)
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    missed_reason = models.CharField(max_length=14, choices=MissedReason.choices, blank=True)
    group_session = models.ForeignKey(
        GroupSession, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-session_date", "-pk"]
        indexes = [
            models.Index(fields=["trust", "pupil", "session_date"]),
            models.Index(fields=["trust", "outcome", "session_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.allocation.provision} on {self.session_date:%-d %b %Y}"


class ParentMeeting(TimeStamped):
    """A meeting with the parents of a pupil on SEN support (CoP 6.65: at least three a year)."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="parent_meetings")
    cycle = models.ForeignKey(Cycle, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings")
    held_on = models.DateField()
    attendees = models.CharField("who attended", max_length=300)
    notes = models.TextField("notes (staff only)", blank=True)
    agreed_actions = models.TextField("agreed actions (shared with parents)", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["trust", "school", "held_on"]), models.Index(fields=["trust", "pupil"])]

    def __str__(self) -> str:
        return f"Meeting with {self.pupil}'s parents on {self.held_on:%-d %b %Y}"


class AccessArrangement(TimeStamped):
    """An exam access arrangement or classroom reasonable adjustment for one pupil (JCQ "Adjustments for
    candidates with disabilities and learning difficulties"; Equality Act 2010).

    It belongs to the school and phase where it was granted (`school`, `phase`): a move to another school or
    into a new phase brings it up for review there (`Status.TO_REVIEW`, `review_reason`) rather than letting
    it continue silently (graduated.services.arrangement_review). Rules in graduated.services.arrangements.
    """

    class Kind(models.TextChoices):
        EXTRA_TIME = "extra_time", "Extra time"
        READER = "reader", "Reader"
        COMPUTER_READER = "computer_reader", "Computer reader"
        SCRIBE = "scribe", "Scribe"
        SPEECH_RECOGNITION = "speech_recognition", "Speech recognition technology"
        WORD_PROCESSOR = "word_processor", "Word processor"
        REST_BREAKS = "rest_breaks", "Supervised rest breaks"
        SEPARATE_ROOM = "separate_room", "Separate room"
        SMALLER_ROOM = "smaller_room", "Smaller room"
        PROMPTER = "prompter", "Prompter"
        ENLARGED_PAPER = "enlarged_paper", "Modified paper: enlarged"
        COLOURED_PAPER = "coloured_paper", "Modified paper: coloured"
        BRAILLE_PAPER = "braille_paper", "Modified paper: braille"
        MODIFIED_LANGUAGE = "modified_language", "Modified paper: modified language"
        PRACTICAL_ASSISTANT = "practical_assistant", "Practical assistant"
        COLOUR_OVERLAY = "colour_overlay", "Colour overlay"
        CLASSROOM = "classroom", "Classroom reasonable adjustment"
        OTHER = "other", "Other arrangement"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        GRANTED = "granted", "Granted"
        TO_REVIEW = "to_review", "To review"
        ENDED = "ended", "Ended"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="access_arrangements")
    kind = models.CharField("arrangement", max_length=20, choices=Kind.choices)
    details = models.TextField("details", blank=True, help_text="What it means in practice, and for which subjects.")
    extra_time_percent = models.PositiveSmallIntegerField("extra time (%)", null=True, blank=True)
    exceptional_evidence = models.TextField("exceptional evidence (over 25% extra time)", blank=True)
    # The evidence: at least one.
    normal_way_of_working = models.TextField("normal way of working", blank=True)
    standardised_scores = models.TextField("standardised scores", blank=True)
    specialist_report = models.TextField("specialist report", blank=True)
    assessor_name = models.CharField("assessed by", max_length=150)
    assessor_qualification = models.CharField("assessor's qualification", max_length=200)
    # JCQ Form 8 (the assessment the exams office needs at secondary for extra time, a reader, a scribe...).
    form8_completed_on = models.DateField("Form 8 completed on", null=True, blank=True)
    form8_completed_by = models.CharField("Form 8 completed by", max_length=150, blank=True)
    form8_document = models.ForeignKey(
        "pupils.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    granted_on = models.DateField(null=True, blank=True)
    review_on = models.DateField("review date", null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    # Where it was granted: the phase (graduated.phases) and year group at the time.
    phase = models.CharField(max_length=10, blank=True)
    granted_year_group = models.CharField(max_length=2, blank=True)
    review_reason = models.CharField(max_length=300, blank=True)
    review_since = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["pupil", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extra_time_percent__isnull=True)
                | models.Q(extra_time_percent__gte=1, extra_time_percent__lte=100),
                name="arrangement_extra_time_1_to_100",
            ),
            models.CheckConstraint(
                condition=models.Q(review_on__isnull=True)
                | models.Q(granted_on__isnull=True)
                | models.Q(review_on__gt=models.F("granted_on")),
                name="arrangement_review_after_grant",
            ),
        ]
        indexes = [
            models.Index(fields=["trust", "school", "status", "review_on"]),
            models.Index(fields=["trust", "pupil"]),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """ "Extra time (25%)", "Reader", or the words given for an other arrangement."""
        if self.kind == self.Kind.EXTRA_TIME and self.extra_time_percent:
            return f"Extra time ({self.extra_time_percent}%)"
        if self.kind in {self.Kind.OTHER, self.Kind.CLASSROOM} and self.details:
            prefix = "Classroom adjustment" if self.kind == self.Kind.CLASSROOM else "Other"
            return f"{prefix}: {self.details[:80]}"
        return self.get_kind_display()

    @property
    def evidence(self) -> list[tuple[str, str]]:
        found = [
            ("Normal way of working", self.normal_way_of_working),
            ("Standardised scores", self.standardised_scores),
            ("Specialist report", self.specialist_report),
        ]
        return [(name, text) for name, text in found if text]
