from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from trusts.models import TimeStamped, Trust


class BoardReport(TimeStamped):
    """A trust board SEND report for a period, rendered to PDF by a Celery task."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being prepared"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    step = models.CharField(max_length=100, blank=True)
    pdf = models.FileField(upload_to="board-reports/", blank=True)
    error = models.CharField(max_length=300, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Board SEND report {self.period_start:%d %b %Y} to {self.period_end:%d %b %Y}"
