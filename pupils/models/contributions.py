"""Parents' views before a review (pupils.contributions)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from trusts.models import School, TimeStamped, Trust

from .core import Document, Pupil

# Parents' views before a review (pupils.contributions) -------------------------------------------------


class ContributionSubject(models.TextChoices):
    """What a parent's views are for: a review that `graduated` or `reviews` owns, known by kind and id."""

    SUPPORT_REVIEW = "support_review", "SEN support plan review"
    ANNUAL_REVIEW = "annual_review", "Annual review of the EHC plan"


class ParentContribution(TimeStamped):
    """A parent's own words before a review, kept apart from what staff write (never overwriting it).

    One per parent per review; the parent may change it until the review is held. `copied_at` is when a
    member of staff copied it into the review's own parents' views."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="parent_contributions")
    subject_kind = models.CharField(max_length=20, choices=ContributionSubject.choices)
    subject_id = models.BigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=50, blank=True)
    going_well = models.TextField("what is going well", blank=True)
    difficult = models.TextField("what is hard at the moment", blank=True)
    changes = models.TextField("what has changed at home or with health", blank=True)
    hopes = models.TextField("what they would like from the review", blank=True)
    questions = models.TextField("questions they want answered", blank=True)
    copied_at = models.DateTimeField(null=True, blank=True)
    copied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id", "author"], name="one_contribution_per_parent_per_review"
            )
        ]
        indexes = [models.Index(fields=["trust", "subject_kind", "subject_id"])]

    def __str__(self) -> str:
        return f"Views of {self.author_name} ({self.get_subject_kind_display()})"

    ANSWERS = ("going_well", "difficult", "changes", "hopes", "questions")

    def answers(self) -> list[tuple[str, str]]:
        """(heading, the parent's words) for each question, in order, for staff pages."""
        fields = {f.name: f for f in self._meta.concrete_fields}
        return [(str(fields[n].verbose_name).capitalize(), getattr(self, n)) for n in self.ANSWERS]


class ContributionReport(TimeStamped):
    """A report a parent added with their views (for example a private therapist's): a document on the
    pupil's record, category "from a parent or carer"."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    contribution = models.ForeignKey(ParentContribution, on_delete=models.CASCADE, related_name="reports")
    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="contribution_link")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["created_at", "id"]


class ViewsRequest(TimeStamped):
    """Staff asked the pupil's parents for their views before a review (each ask notifies them)."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="views_requests")
    subject_kind = models.CharField(max_length=20, choices=ContributionSubject.choices)
    subject_id = models.BigIntegerField()
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    parents_told = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["trust", "subject_kind", "subject_id"])]
