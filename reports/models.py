from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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
    """One version of a school's yearly SEN information report (CFA s.69(3); Regs 51 and Schedule 1;
    CoP 6.79-6.83). The sections are defined in `reports.sen_sections`; the numbers, kinds of need and
    provision come from the casework.

    Each academic year has numbered versions. A version is a draft until it is published; publishing freezes it
    (`published_at`, `published_by`) and it is never changed again: later edits go into a new draft of the
    same year, which starts from the words of the version before it."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey("trusts.School", on_delete=models.PROTECT)
    academic_year = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField(default=1)
    senco_contact = models.CharField("Our SENCO and how to contact them", max_length=300, blank=True)
    identification = models.TextField(blank=True)
    evaluating_effectiveness = models.TextField(blank=True)
    assessing_progress = models.TextField(blank=True)
    teaching_approach = models.TextField(blank=True)
    adaptations = models.TextField(blank=True)
    additional_support = models.TextField(blank=True)
    inclusion_activities = models.TextField(blank=True)
    wellbeing = models.TextField(blank=True)
    staff_expertise = models.TextField(blank=True)
    equipment_facilities = models.TextField(blank=True)
    consulting_parents = models.TextField(blank=True)
    consulting_pupils = models.TextField(blank=True)
    complaints = models.TextField(blank=True)
    other_agencies = models.TextField(blank=True)
    parent_support = models.TextField(blank=True)
    transitions = models.TextField(blank=True)
    local_offer = models.URLField("Where the local authority publishes its local offer", blank=True)
    local_offer_contribution = models.TextField(blank=True)
    disabled_admissions = models.TextField(blank=True)
    disabled_treatment = models.TextField(blank=True)
    disabled_facilities = models.TextField(blank=True)
    accessibility_plan = models.TextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The figures as published (already through reports.disclosure), frozen with the words.
    figures = models.JSONField(null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-academic_year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "version"], name="one_sen_information_report_version"
            ),
            models.UniqueConstraint(
                fields=["school", "academic_year"],
                condition=models.Q(published_at__isnull=True),
                name="one_sen_information_report_draft_per_year",
            ),
        ]

    def __str__(self) -> str:
        return f"SEN information report {self.year_label}, version {self.version}"

    @property
    def year_label(self) -> str:
        return f"{self.academic_year}/{(self.academic_year + 1) % 100:02d}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> SenInformationReport:
        instance = super().from_db(db, field_names, values)
        instance._frozen = instance.published_at is not None
        return instance

    def save(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "_frozen", False):
            raise ValueError("A published SEN information report is never changed: edit a new draft instead.")
        super().save(*args, **kwargs)
        self._frozen = self.published_at is not None

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "_frozen", False):
            raise ValueError("A published SEN information report is kept.")
        return super().delete(*args, **kwargs)


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


class PlanProvisionLink(TimeStamped):
    """Which school provision delivers a line of an EHC plan's section F: the SENCO maps each line once (one
    line may be delivered by several provisions, one provision may deliver several lines); an amended plan
    carries the mapping to its new lines (`ehcp.services.PROVISION_CARRIED_HOOKS`). Lives in `reports`,
    above both `ehcp` and `graduated`, which never import each other."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey("trusts.School", on_delete=models.CASCADE, related_name="+")
    line = models.ForeignKey("ehcp.ProvisionLine", on_delete=models.CASCADE, related_name="delivered_by_links")
    provision = models.ForeignKey("graduated.Provision", on_delete=models.CASCADE, related_name="plan_links")
    mapped_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["line", "provision"]
        constraints = [models.UniqueConstraint(fields=["line", "provision"], name="plan_provision_link_unique")]
        indexes = [models.Index(fields=["trust", "school"])]

    def __str__(self) -> str:
        return f"Plan line {self.line_id} delivered by provision {self.provision_id}"


class DeliverySetting(TimeStamped):
    """The share of promised hours below which a pupil's delivery is flagged to their SENCO (default 90%)."""

    DEFAULT_THRESHOLD = 90

    trust = models.OneToOneField(Trust, on_delete=models.CASCADE, related_name="delivery_setting")
    threshold_percent = models.PositiveSmallIntegerField(
        "flag a pupil below this share of promised hours (%)",
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    def __str__(self) -> str:
        return f"Flag delivery below {self.threshold_percent}%"
