"""Annual reviews of EHC plans: the review, the people invited, the meeting's action plan.

Dates the law fixes are not stored here: they are `ehcp.models.Deadline` rows (subject_type
"annual_review", subject_id = the review's id) opened, recomputed and met by `reviews.services`.
A review stores what happened (meeting, invitations, report, the LA's decision) and, for the list
pages, the date it is due by and the rule that date comes from.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from ehcp.models import EhcPlan, PhaseTransfer, SubjectType
from pupils.models import Pupil
from trusts.models import School, TimeStamped, Trust

SUBJECT_TYPE = "annual_review"
# A phase-transfer review must leave the LA its 4 weeks to decide (R6) and 8 weeks to issue the amended plan
# (R8) before the R9 date: its meeting is due 12 weeks before that date.
TRANSFER_LEAD = timedelta(weeks=4 + 8)


class Recommendation(models.TextChoices):
    """What the meeting recommends, and what the LA decides (Regs 20(10), 21(8); Regs 22)."""

    KEEP = "keep", "Keep the plan as it is"
    AMEND = "amend", "Amend the plan"
    CEASE = "cease", "Cease the plan"


class AnnualReview(TimeStamped):
    """One review of a pupil's EHC plan, from booking the meeting to the LA's final amended plan."""

    class Status(models.TextChoices):
        PLANNING = "planning", "Meeting not booked"
        SCHEDULED = "scheduled", "Meeting booked"
        HELD = "held", "Meeting held: report to send"
        REPORT_SENT = "report_sent", "Waiting for the LA's decision"
        AMENDING = "amending", "Waiting for the amended plan"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class AnchorKind(models.TextChoices):
        PLAN_ISSUED = "plan_issued", "the plan was issued"
        LAST_REVIEW = "last_review", "the last review meeting"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="annual_reviews")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="annual_reviews")
    plan = models.ForeignKey(EhcPlan, on_delete=models.CASCADE, related_name="annual_reviews")
    # The review whose meeting this one counts from (a cancelled review keeps its link, as history).
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="following_reviews"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNING)

    # R1/R2 count from the anchor: the plan's issue date, or the last review meeting.
    anchor_date = models.DateField()
    anchor_kind = models.CharField(max_length=12, choices=AnchorKind.choices)
    under_five = models.BooleanField(default=False, help_text="Under 5 on the anchor date: reviewed every 3-6 months.")
    due_date = models.DateField(help_text="The latest date for the meeting, from the strictest rule that applies.")
    due_rule = models.CharField(max_length=4, default="R1")
    phase_transfer = models.ForeignKey(
        PhaseTransfer, on_delete=models.SET_NULL, null=True, blank=True, related_name="annual_reviews"
    )

    meeting_date = models.DateField(null=True, blank=True)
    held_on = models.DateField(null=True, blank=True)
    advice_circulated_on = models.DateField(null=True, blank=True)

    # The meeting record, under the person-centred headings (trust policy 000, "Annual Review of the EHC Plan").
    progress_on_outcomes = models.TextField("progress on outcomes", blank=True)
    appreciated_admired = models.TextField("what is appreciated and admired about the pupil", blank=True)
    important_now = models.TextField("what is important to the pupil now", blank=True)
    important_future = models.TextField("what is important to the pupil for the future", blank=True)
    how_to_support = models.TextField("how best to support the pupil", blank=True)
    questions_issues = models.TextField("questions to answer and issues to deal with", blank=True)
    parent_views = models.TextField("the parents' views", blank=True)
    pupil_views = models.TextField("the pupil's views", blank=True)
    recommendation = models.CharField(max_length=5, choices=Recommendation.choices, blank=True)
    proposed_amendments = models.TextField(blank=True)

    report_sent_on = models.DateField(null=True, blank=True)
    la_decision = models.CharField("the LA's decision", max_length=5, choices=Recommendation.choices, blank=True)
    la_decision_on = models.DateField(null=True, blank=True)
    parent_representations_on = models.DateField(null=True, blank=True)
    amended_plan_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=300, blank=True)

    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            # A plan has one review waiting for its meeting at a time (the next one is opened when a meeting is held).
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(status__in=["planning", "scheduled"]),
                name="one_unheld_review_per_plan",
            ),
        ]
        indexes = [
            models.Index(fields=["trust", "school", "status", "due_date"]),
            models.Index(fields=["trust", "pupil"]),
        ]

    def __str__(self) -> str:
        return f"Annual review for {self.pupil} (due by {self.due_date:%-d %B %Y})"

    @property
    def is_open(self) -> bool:
        return self.status not in {self.Status.COMPLETED, self.Status.CANCELLED}

    @property
    def meeting_recorded(self) -> bool:
        return self.held_on is not None

    @property
    def amendments_proposed(self) -> bool:
        return self.la_decision == Recommendation.AMEND

    def deadline_subject(self, rule_id: str) -> tuple[str, int]:
        """Whose deadline a rule is: a first review counted from the plan's issue date meets the plan's own
        R1/R2 (opened by ehcp when the plan was issued); every other deadline is the review's own."""
        if rule_id in {"R1", "R2"} and self.previous_id is None and self.anchor_kind == self.AnchorKind.PLAN_ISSUED:
            return SubjectType.EHC_PLAN, self.plan_id
        return SUBJECT_TYPE, self.pk

    def record_sections(self) -> list[tuple[str, str]]:
        """(heading, text) of the meeting record in the order of the trust policy's person-centred headings."""
        return [
            ("Progress on outcomes", self.progress_on_outcomes),
            ("What is appreciated and admired", self.appreciated_admired),
            ("What is important now", self.important_now),
            ("What is important for the future", self.important_future),
            ("How best to support", self.how_to_support),
            ("Questions and issues", self.questions_issues),
        ]


class Invitee(TimeStamped):
    """Someone invited to the review meeting (Regs 20(2), 21(2)), and the advice asked of them."""

    class Role(models.TextChoices):
        PARENT = "parent", "Parent or carer"
        PUPIL = "pupil", "The pupil"
        LA_OFFICER = "la_officer", "LA SEN officer"
        HEALTH = "health", "Health"
        SOCIAL_CARE = "social_care", "Social care"
        PROFESSIONAL = "professional", "Other professional"
        SCHOOL = "school", "School staff"
        NEXT_SCHOOL = "next_school", "The next school (phase transfer)"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="invitees")
    role = models.CharField(max_length=15, choices=Role.choices)
    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    invited_on = models.DateField("invitation sent", null=True, blank=True)
    advice_requested_on = models.DateField(null=True, blank=True)
    advice_received_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["review", "id"]
        indexes = [models.Index(fields=["trust", "review"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class ReviewAction(TimeStamped):
    """One line of the meeting's time-bound action plan: what, who, by when."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(default=1)
    action = models.CharField(max_length=500)
    who = models.CharField(max_length=150)
    by_when = models.DateField()

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["review", "position", "id"]

    def __str__(self) -> str:
        return f"{self.action} ({self.who}, by {self.by_when:%-d %B %Y})"
