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
        indexes = [
            models.Index(fields=["trust", "pupil", "effective_date"]),
            # The trust figures' fingerprint reads the trust's newest change (ORDER BY id DESC LIMIT 1): without
            # it PostgreSQL walks the primary key backwards through every later trust's rows (250 ms at 200 trusts).
            models.Index(fields=["trust", "id"]),
        ]

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


# Referrals to outside agencies, with parental consent (register/referrals.py) ------------------------


class Referral(TimeStamped):
    """A referral of one pupil to an outside agency. Its steps are kept on it (and on the consent,
    appointment and document rows below); `status` is worked out from them by `referrals.status_of`."""

    class Agency(models.TextChoices):
        SALT = "salt", "Speech and language therapy"
        EP = "ep", "Educational psychology"
        CAMHS = "camhs", "CAMHS (child and adolescent mental health services)"
        OT = "ot", "Occupational therapy"
        PHYSIO = "physio", "Physiotherapy"
        PAEDIATRICS = "paediatrics", "Paediatrics"
        EARLY_HELP = "early_help", "Early help"
        SENSORY = "sensory", "Sensory support (hearing or vision)"
        OUTREACH = "outreach", "Specialist teacher or outreach"
        SOCIAL_CARE = "social_care", "Social care"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        CONSENT_NEEDED = "consent_needed", "Waiting for consent"
        READY = "ready", "Consent given, not yet referred"
        REFERRED = "referred", "Referred, waiting for a response"
        WAITING_LIST = "waiting_list", "On the waiting list"
        ACCEPTED = "accepted", "Accepted"
        APPOINTMENT = "appointment", "Appointment booked"
        REPORT = "report", "Report received"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Consent withdrawn"
        CLOSED = "closed", "Closed"

    class Response(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        WAITING_LIST = "waiting_list", "Accepted onto a waiting list"
        DECLINED = "declined", "Declined"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="referrals")
    concern = models.ForeignKey(
        CauseForConcern, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    agency = models.CharField(max_length=12, choices=Agency.choices)
    agency_name = models.CharField(max_length=150, blank=True, help_text="The agency's own name (needed for Other).")
    reason = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONSENT_NEEDED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_on = models.DateField(null=True, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response = models.CharField(max_length=12, choices=Response.choices, blank=True)
    response_on = models.DateField(null=True, blank=True)
    response_reason = models.TextField(blank=True)
    response_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The per-pupil access grant of the agency's professional (ended when consent is withdrawn).
    grant = models.ForeignKey(
        "pupils.AccessGrant", on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    outcome = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["trust", "school", "status"]), models.Index(fields=["trust", "pupil"])]

    def __str__(self) -> str:
        return f"Referral of {self.pupil} to {self.agency_label}"

    @property
    def agency_label(self) -> str:
        """The agency as people say it: "Speech and language therapy (Riverside SALT team)"."""
        if self.agency == self.Agency.OTHER:
            return self.agency_name or self.get_agency_display()
        return f"{self.get_agency_display()} ({self.agency_name})" if self.agency_name else self.get_agency_display()


class ReferralConsent(TimeStamped):
    """Parental consent for one referral: who gave it, when, how and for what; withdrawn with a date."""

    class How(models.TextChoices):
        WRITING = "writing", "In writing"
        VERBAL = "verbal", "Verbally"
        EMAIL = "email", "By email"
        MEETING = "meeting", "In a meeting"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="consents")
    contact = models.ForeignKey("pupils.Contact", on_delete=models.SET_NULL, null=True, related_name="+")
    given_by = models.CharField(max_length=200, help_text="The contact's name and relationship, kept if removed.")
    given_on = models.DateField()
    how = models.CharField(max_length=10, choices=How.choices)
    for_sharing = models.BooleanField("sharing information with the agency", default=False)
    for_assessment = models.BooleanField("assessment of the pupil", default=False)
    for_observation = models.BooleanField("observation in school", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_note = models.TextField(blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["given_on", "id"]

    def __str__(self) -> str:
        return f"Consent from {self.given_by} on {self.given_on:%-d %b %Y}"

    @property
    def purposes(self) -> list[str]:
        wanted = [(self.for_sharing, "sharing information"), (self.for_assessment, "assessment")]
        wanted.append((self.for_observation, "observation in school"))
        return [label for given, label in wanted if given]


class ReferralAppointment(TimeStamped):
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="appointments")
    on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"Appointment on {self.on:%-d %b %Y}"


class ReferralDocument(TimeStamped):
    """A document of the pupil's record sent to the agency (paperwork) or received from it (a report)."""

    class Direction(models.TextChoices):
        SENT = "sent", "Sent to the agency"
        RECEIVED = "received", "Received from the agency"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey("pupils.Document", on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "document", "direction"], name="referral_document_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: document {self.document_id}"
