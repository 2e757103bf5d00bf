"""A parent's answer to a meeting the school set (pupils.meeting_replies)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from trusts.models import School, TimeStamped, Trust

from .core import Pupil


class MeetingReply(TimeStamped):
    """A parent's answer to a meeting the school set for their child: "I will come" or "please move it".

    Generic on purpose (like `ehcp.Deadline`): the meeting is an annual review (`reviews`) or a support-plan
    review (`graduated`), named by `subject_type` and `subject_id`. `meeting_date` is the date the parent
    answered for: when the school moves the meeting the reply no longer matches, and the parent is asked again.
    """

    class Answer(models.TextChoices):
        COMING = "coming", "I will come"
        MOVE = "move", "Please move this meeting"

    class Subject(models.TextChoices):
        ANNUAL_REVIEW = "annual_review", "Annual review of the EHC plan"
        SUPPORT_REVIEW = "support_review", "Review of the SEN support plan"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="meeting_replies")
    subject_type = models.CharField(max_length=20, choices=Subject.choices)
    subject_id = models.BigIntegerField()
    meeting_date = models.DateField(help_text="The meeting date this answer is for.")
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_replies")
    answer = models.CharField(max_length=8, choices=Answer.choices)
    reason = models.TextField("why the date does not suit", blank=True)
    suits = models.CharField("days and times that suit", max_length=300, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["subject_type", "subject_id", "-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id", "parent"], name="one_reply_per_parent"),
        ]
        indexes = [
            models.Index(fields=["trust", "subject_type", "subject_id"]),
            models.Index(fields=["trust", "pupil"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_answer_display()} ({self.meeting_date:%-d %B %Y})"
