"""The SEN register (current status and its history) and cause-for-concern forms."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from pupils.models import Pupil
from trusts.models import School, TimeStamped, Trust


class SenStatus(models.TextChoices):
    # K and E are census SEN provision codes; N means not on the register; monitoring is a school list.
    NONE = "N", "Not on the SEN register"
    MONITORING = "M", "Monitoring"
    SEN_SUPPORT = "K", "SEN support"
    EHC_PLAN = "E", "EHC plan"


class NeedType(models.TextChoices):
    # DfE school census type-of-need codes.
    SPLD = "SPLD", "Specific learning difficulty"
    MLD = "MLD", "Moderate learning difficulty"
    SLD = "SLD", "Severe learning difficulty"
    PMLD = "PMLD", "Profound and multiple learning difficulty"
    SEMH = "SEMH", "Social, emotional and mental health"
    SLCN = "SLCN", "Speech, language and communication needs"
    HI = "HI", "Hearing impairment"
    VI = "VI", "Visual impairment"
    MSI = "MSI", "Multi-sensory impairment"
    PD = "PD", "Physical disability"
    ASD = "ASD", "Autistic spectrum disorder"
    # Added to the census from January 2025; the code is provisional until the census guide confirms it.
    DS = "DS", "Down syndrome"
    OTH = "OTH", "Other difficulty or disability"
    NSA = "NSA", "SEN support but no specialist assessment of type of need"


class BroadArea(models.TextChoices):
    COMMUNICATION = "communication", "Communication and interaction"
    COGNITION = "cognition", "Cognition and learning"
    SEMH = "semh", "Social, emotional and mental health"
    SENSORY = "sensory", "Sensory and/or physical"


NEED_AREAS = {
    "SLCN": BroadArea.COMMUNICATION,
    "ASD": BroadArea.COMMUNICATION,
    "SPLD": BroadArea.COGNITION,
    "MLD": BroadArea.COGNITION,
    "SLD": BroadArea.COGNITION,
    "PMLD": BroadArea.COGNITION,
    "DS": BroadArea.COGNITION,
    "SEMH": BroadArea.SEMH,
    "HI": BroadArea.SENSORY,
    "VI": BroadArea.SENSORY,
    "MSI": BroadArea.SENSORY,
    "PD": BroadArea.SENSORY,
}


class RegisterEntry(TimeStamped):
    """A pupil's current place on the SEN register (one row per pupil; history in RegisterChange)."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    pupil = models.OneToOneField(Pupil, on_delete=models.CASCADE, related_name="register_entry")
    status = models.CharField(max_length=1, choices=SenStatus.choices, default=SenStatus.NONE)
    since = models.DateField()
    primary_need = models.CharField(max_length=4, choices=NeedType.choices, blank=True)
    primary_need_detail = models.CharField(max_length=300, blank=True)
    secondary_need = models.CharField(max_length=4, choices=NeedType.choices, blank=True)
    secondary_need_detail = models.CharField(max_length=300, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        indexes = [models.Index(fields=["trust", "school", "status"])]
        verbose_name_plural = "register entries"

    def __str__(self) -> str:
        return f"{self.pupil}: {self.get_status_display()}"


class RegisterChange(models.Model):
    """One change of register status or need, kept for ever (never edited)."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="register_changes")
    from_status = models.CharField(max_length=1, choices=SenStatus.choices)
    to_status = models.CharField(max_length=1, choices=SenStatus.choices)
    effective_date = models.DateField()
    reason = models.CharField(max_length=500)
    primary_need = models.CharField(max_length=4, choices=NeedType.choices, blank=True)
    secondary_need = models.CharField(max_length=4, choices=NeedType.choices, blank=True)
    parents_told_on = models.DateField("date parents were told", null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-effective_date", "-id"]
        indexes = [models.Index(fields=["trust", "pupil", "effective_date"])]

    def __str__(self) -> str:
        return f"{self.pupil}: {self.from_status} → {self.to_status} on {self.effective_date}"


class CauseForConcern(TimeStamped):
    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        NO_FURTHER_ACTION = "nfa", "No further action"
        MONITOR = "monitor", "Monitor"
        SEN_SUPPORT = "sen_support", "SEN support"
        REFER = "refer", "Refer to an outside agency"

    class Source(models.TextChoices):
        # Who raised the concern (stable codes): a member of staff who noticed, the pupil themselves, or a
        # parent or carer. `raised_by` is who wrote it down: the parent themselves when `from_portal`.
        STAFF = "staff", "A member of staff"
        PUPIL = "pupil", "The pupil"
        PARENT = "parent", "A parent or carer"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="concerns")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    areas = models.JSONField(default=list, help_text="Broad areas of need (BroadArea codes).")
    observations = models.TextField()
    noticed_since = models.DateField()
    evidence = models.TextField(blank=True)
    # Staff only: a parent raising a concern in the portal is never asked about classroom strategies.
    strategies_tried = models.TextField("wave 1 strategies already tried", blank=True)
    strategies_effect = models.TextField("effect of those strategies", blank=True)
    parents_spoken_to = models.BooleanField(default=False)
    parents_view = models.TextField(blank=True)
    pupil_view = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_notes = models.TextField(blank=True)
    outside_agency = models.CharField(max_length=150, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.STAFF)
    # True when a parent wrote it themselves in the family portal (raised_by is then that parent).
    from_portal = models.BooleanField(default=False)
    # A parent's own answers in the portal (what helps at home, what they would like the school to do).
    helps_at_home = models.TextField("what helps at home, or what the family has tried", blank=True)
    wanted_from_school = models.TextField("what the family would like the school to do", blank=True)
    # The school's answer to a parent who raised the concern, in plain words; `outcome_notes` stay staff-only.
    family_reply = models.TextField(blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["trust", "school", "status", "created_at"])]
        constraints = [
            # Only a parent writes in the portal: a portal concern is always a parent's.
            models.CheckConstraint(
                condition=models.Q(from_portal=False) | models.Q(source="parent"), name="portal_concern_is_a_parents"
            )
        ]
        verbose_name_plural = "causes for concern"

    def __str__(self) -> str:
        return f"Concern about {self.pupil} raised {self.created_at:%-d %b %Y}"

    @property
    def raised_by_family(self) -> bool:
        """Written by a parent or carer in the portal: they are told the outcome there, not the staff notes."""
        return self.from_portal
