"""The wording of a draft EHC plan or of proposed amendments the LA sent (ehcp.wording); in `ehcp.models` too."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from pupils.models import Pupil
from trusts.models import School, Trust

from .models import Consultation, EhcPlan, NeedsAssessment, PlanSections


class DraftWording(PlanSections):
    """The wording of a draft EHC plan or of proposed amendments the LA sent the school, as the SENCO pasted it,
    checked against the Code of Practice (trusts.plan_wording); `points` is the list the SENCO edited for the
    school's reply (A5 for a draft, its response for amendments). One per consultation or assessment; a plan
    can have several sets of proposed amendments over the years."""

    class Kind(models.TextChoices):
        DRAFT = "draft", "Draft EHC plan"
        AMENDMENTS = "amendments", "Proposed amendments"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, null=True, blank=True, related_name="wording_checks"
    )
    assessment = models.ForeignKey(
        NeedsAssessment, on_delete=models.CASCADE, null=True, blank=True, related_name="wording_checks"
    )
    plan = models.ForeignKey(EhcPlan, on_delete=models.CASCADE, null=True, blank=True, related_name="wording_checks")
    received_on = models.DateField(help_text="The day the school received the LA's wording.")
    points = models.TextField("points for the reply", blank=True)
    pasted_at = models.DateTimeField(default=timezone.now)  # when the LA's text was last pasted
    points_saved_at = models.DateTimeField(null=True, blank=True)  # when the SENCO last saved the points
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["trust", "school"])]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation"],
                condition=models.Q(consultation__isnull=False),
                name="one_check_per_consultation",
            ),
            models.UniqueConstraint(
                fields=["assessment"], condition=models.Q(assessment__isnull=False), name="one_check_per_assessment"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="draft", plan__isnull=True)
                    & (models.Q(consultation__isnull=False) ^ models.Q(assessment__isnull=False))
                )
                | models.Q(kind="amendments", plan__isnull=False, consultation__isnull=True, assessment__isnull=True),
                name="wording_check_has_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} received {self.received_on:%-d %B %Y}"
