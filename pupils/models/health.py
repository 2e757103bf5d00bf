"""Medical conditions and individual health care plans (pupils.health)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from trusts.models import School, TimeStamped, Trust

from .core import Pupil

# Medical conditions and individual health care plans (pupils.health) ---------------------------------------


class MedicalCondition(TimeStamped):
    """A medical condition the school knows about, where it heard of it, and whether it needs an IHCP."""

    class Source(models.TextChoices):
        PARENT = "parent", "Parent or carer"
        GP = "gp", "GP"
        CONSULTANT = "consultant", "Hospital consultant"
        NURSE = "nurse", "School or specialist nurse"
        MIS = "mis", "Earlier school records (MIS)"
        OTHER = "other", "Other"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="medical_conditions")
    condition = models.CharField(max_length=150)
    details = models.TextField(blank=True)
    noted_on = models.DateField("diagnosed or noted on", null=True, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    needs_ihcp = models.BooleanField("needs an individual health care plan", default=False)
    ended_on = models.DateField(null=True, blank=True, help_text="Set when the condition no longer applies.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["condition", "id"]
        indexes = [models.Index(fields=["trust", "pupil"])]

    def __str__(self) -> str:
        return self.condition


class HealthCarePlan(TimeStamped):
    """One version of a pupil's individual health care plan (the DfE's "Template A"). A review writes a new
    version; the earlier one is kept, superseded, and read-only."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="health_plans")
    version = models.PositiveSmallIntegerField(default=1)
    conditions = models.ManyToManyField(MedicalCondition, related_name="health_plans")
    emergency_summary = models.CharField(max_length=300)
    emergency_steps = models.TextField()
    triggers = models.TextField("triggers, signs and symptoms", blank=True)
    daily_care = models.TextField("daily care requirements", blank=True)
    trips = models.TextField("arrangements for school trips", blank=True)
    exams = models.TextField("arrangements for exams and tests", blank=True)
    contacts = models.TextField("who to contact", blank=True)
    ehcp_section_c = models.BooleanField("also in EHC plan section C", default=False)
    review_due = models.DateField()
    parent_agreed_by = models.CharField(max_length=150, blank=True)
    parent_agreed_on = models.DateField(null=True, blank=True)
    parent_agreed_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    professional_name = models.CharField(max_length=150, blank=True)
    professional_role = models.CharField(max_length=100, blank=True)
    professional_agreed_on = models.DateField(null=True, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["pupil", "-version"]
        constraints = [models.UniqueConstraint(fields=["pupil", "version"], name="health_plan_version_unique")]
        indexes = [models.Index(fields=["trust", "superseded_at", "review_due"])]

    def __str__(self) -> str:
        return f"Individual health care plan, version {self.version}"

    @property
    def current(self) -> bool:
        return self.superseded_at is None


class PlanMedication(TimeStamped):
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    plan = models.ForeignKey(HealthCarePlan, on_delete=models.CASCADE, related_name="medications")
    name = models.CharField(max_length=150)
    dose = models.CharField(max_length=100)
    when = models.CharField("when it is given", max_length=200)
    given_by = models.CharField("who gives it", max_length=150)
    kept_where = models.CharField("where it is kept", max_length=150)
    expires_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.dose}"


class PlanTraining(TimeStamped):
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    plan = models.ForeignKey(HealthCarePlan, on_delete=models.CASCADE, related_name="training")
    staff_name = models.CharField(max_length=150)
    training = models.CharField("training", max_length=200)
    trained_on = models.DateField()

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["plan", "staff_name", "id"]

    def __str__(self) -> str:
        return f"{self.staff_name}: {self.training}"
