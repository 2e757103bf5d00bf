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
        return f"Board SEND report {self.period_start:%-d %b %Y} to {self.period_end:%-d %b %Y}"


class SenInformationReport(TimeStamped):
    """What the school writes for its yearly SEN information report (CFA s.69; Regs 51 and Schedule 1;
    CoP 6.79-6.83). The numbers, kinds of need and provision are filled in from the casework."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey("trusts.School", on_delete=models.PROTECT)
    academic_year = models.PositiveSmallIntegerField()
    senco_contact = models.CharField("SENCO's name and contact details", max_length=300, blank=True)
    identification = models.TextField("How the school identifies and assesses special educational needs", blank=True)
    consulting_parents = models.TextField(
        "How the school consults parents and involves them in their child's education", blank=True
    )
    consulting_pupils = models.TextField(
        "How the school consults pupils and involves them in their education", blank=True
    )
    assessing_progress = models.TextField("How the school assesses and reviews progress towards outcomes", blank=True)
    transitions = models.TextField("How the school supports moves between phases and to adult life", blank=True)
    teaching_approach = models.TextField("The approach to teaching pupils with SEN, and adaptations", blank=True)
    staff_expertise = models.TextField(
        "Staff expertise and training, and how specialist expertise is secured", blank=True
    )
    evaluating_effectiveness = models.TextField(
        "How the school evaluates the effectiveness of its provision", blank=True
    )
    inclusion_activities = models.TextField("How pupils with SEN take part in activities with other pupils", blank=True)
    wellbeing = models.TextField("Support for emotional and social development", blank=True)
    other_agencies = models.TextField("How the school works with health, social care, the LA and others", blank=True)
    complaints = models.TextField("How to complain about SEN provision", blank=True)
    local_offer = models.URLField("Link to the local authority's local offer", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "academic_year"], name="one_sen_information_report_per_year")
        ]

    def __str__(self) -> str:
        return f"SEN information report {self.academic_year}/{(self.academic_year + 1) % 100:02d}"

    TEXT_FIELDS = (
        "senco_contact",
        "identification",
        "consulting_parents",
        "consulting_pupils",
        "assessing_progress",
        "transitions",
        "teaching_approach",
        "staff_expertise",
        "evaluating_effectiveness",
        "inclusion_activities",
        "wellbeing",
        "other_agencies",
        "complaints",
        "local_offer",
    )


class SubjectAccessRequest(TimeStamped):
    """A request for a copy of everything held about a child (UK GDPR art. 15), from a parent for their child
    or from the (former) pupil. Answered within a month (S1), or three for a complex request (S2), tracked by
    the deadline engine. Lives in `reports` because its export reads every app (`reports.subject_access`)."""

    class Requester(models.TextChoices):
        PARENT = "parent", "A parent or carer, for their child"
        PUPIL = "pupil", "The pupil or former pupil"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey("trusts.School", on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="subject_access_requests")
    requester_kind = models.CharField("who asked", max_length=10, choices=Requester.choices)
    requester_name = models.CharField("their name", max_length=150)
    received_on = models.DateField("date received")
    extended_on = models.DateField(null=True, blank=True)
    extension_reason = models.CharField(max_length=300, blank=True)
    # Third-party information reviewed before release: the keys of the checklist items ticked.
    reviewed = models.JSONField(default=list, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["trust", "school", "sent_on"])]

    def __str__(self) -> str:
        return f"Subject access request received {self.received_on:%-d %B %Y}"
