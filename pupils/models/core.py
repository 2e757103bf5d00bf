"""Pupils, their contacts, teaching groups, documents and per-pupil access grants (the core models; health
and parents' contributions are in modules beside this one, all re-exported from `pupils.models`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager
from guardian.models import UserObjectPermissionBase

from trusts.models import School, TimeStamped, Trust

from ..search_text import SEARCHED_FIELDS, search_text_for


class YearGroup(models.TextChoices):
    N1 = "N1", "Nursery 1"
    N2 = "N2", "Nursery 2"
    R = "R", "Reception"
    Y1 = "1", "Year 1"
    Y2 = "2", "Year 2"
    Y3 = "3", "Year 3"
    Y4 = "4", "Year 4"
    Y5 = "5", "Year 5"
    Y6 = "6", "Year 6"
    Y7 = "7", "Year 7"
    Y8 = "8", "Year 8"
    Y9 = "9", "Year 9"
    Y10 = "10", "Year 10"
    Y11 = "11", "Year 11"
    Y12 = "12", "Year 12"
    Y13 = "13", "Year 13"
    Y14 = "14", "Year 14"


YEAR_ORDER = {code: i for i, code in enumerate(YearGroup.values)}


class Gender(models.TextChoices):
    # Census codes.
    FEMALE = "F", "Female"
    MALE = "M", "Male"


class PupilManager(models.Manager["Pupil"]):
    """Keeps `Pupil.search_text` right on the bulk paths (MIS import, demo and scale seeds), which skip save()."""

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Pupil]:
        objs = list(objs)
        for pupil in objs:
            pupil.search_text = search_text_for(pupil)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        objs, fields = list(objs), list(fields)
        if set(fields) & set(SEARCHED_FIELDS):
            for pupil in objs:
                pupil.search_text = search_text_for(pupil)
            fields = [*fields, "search_text"] if "search_text" not in fields else fields
        return super().bulk_update(objs, fields, *args, **kwargs)


class Pupil(TimeStamped):
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    upn = models.CharField("UPN", max_length=13)
    former_upn = models.CharField("former UPN", max_length=13, blank=True)
    legal_surname = models.CharField(max_length=100)
    legal_forename = models.CharField(max_length=100)
    preferred_forename = models.CharField(max_length=100, blank=True)
    preferred_surname = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=1, choices=Gender.choices)
    year_group = models.CharField(max_length=2, choices=YearGroup.choices)
    reg_group = models.CharField("registration group", max_length=20, blank=True)
    admission_date = models.DateField(null=True, blank=True)
    leaving_date = models.DateField(null=True, blank=True)
    eal = models.BooleanField("English as an additional language", default=False)
    fsm = models.BooleanField("free school meals", default=False)
    pupil_premium = models.BooleanField(default=False)
    looked_after = models.BooleanField(default=False)
    previously_looked_after = models.BooleanField(default=False)
    # Medical conditions are rows of their own (MedicalCondition, below); the old free-text summary is retired.
    # Set when a full MIS import no longer lists the pupil; the SENCO confirms or clears it.
    possible_leaver_since = models.DateField(null=True, blank=True)
    # Names and UPNs normalised for search (pupils.search_text); on PostgreSQL a trigram index serves it.
    search_text = models.TextField(blank=True, default="", editable=False)

    objects = ScopedManager(trust="trust", _manager_class=PupilManager)

    class Meta:
        ordering = ["legal_surname", "legal_forename"]
        constraints = [models.UniqueConstraint(fields=["trust", "upn"], name="upn_unique_in_trust")]
        indexes = [
            models.Index(fields=["trust", "school", "legal_surname"]),
            models.Index(fields=["trust", "school", "year_group"]),
            # The trust figures' cache key reads the newest change per trust.
            models.Index(fields=["trust", "updated_at"]),
        ]
        permissions = [("view_pupil_record", "Read this pupil's record (per-object grant)")]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = search_text_for(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(SEARCHED_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def forename(self) -> str:
        return self.preferred_forename or self.legal_forename

    @property
    def display_name(self) -> str:
        return f"{self.forename} {self.preferred_surname or self.legal_surname}"

    @property
    def on_roll(self) -> bool:
        return self.leaving_date is None or self.leaving_date > date.today()

    def age_on(self, day: date) -> int:
        years = day.year - self.date_of_birth.year
        return years - ((day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day))


class Contact(TimeStamped):
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=50, help_text="For example mother, father, grandparent, carer.")
    parental_responsibility = models.BooleanField(default=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="children_links"
    )
    # Documents for this parent come in large print (trusts.pdf, static/css/print-large.css): set by the
    # pupil's casework staff on the record, or by the parent in the portal; remembered for every download.
    large_print = models.BooleanField(
        default=False, help_text="Send this person large-print documents (17pt text, high contrast)."
    )

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"


class TeachingGroup(TimeStamped):
    class Kind(models.TextChoices):
        CLASS = "class", "Class"
        FORM = "form", "Form"
        SET = "set", "Set"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=50)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CLASS)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="group_name_unique_in_school")]

    def __str__(self) -> str:
        return self.name


class GroupStaff(TimeStamped):
    class Role(models.TextChoices):
        TEACHER = "teacher", "Teacher"
        TA = "ta", "Teaching assistant"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    group = models.ForeignKey(TeachingGroup, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_roles")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.TEACHER)

    objects = ScopedManager(trust="trust")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="group_staff_unique")]
        indexes = [models.Index(fields=["trust", "user"])]


class GroupMember(TimeStamped):
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    group = models.ForeignKey(TeachingGroup, on_delete=models.CASCADE, related_name="members")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="group_memberships")

    objects = ScopedManager(trust="trust")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "pupil"], name="group_member_unique")]


def document_path(instance: Document, filename: str) -> str:
    # Random names: the original name is kept in the row, never trusted on disk.
    import uuid

    return f"documents/{instance.trust_id}/{instance.pupil_id}/{uuid.uuid4().hex}"


class Document(TimeStamped):
    class Category(models.TextChoices):
        EP_REPORT = "ep_report", "Educational psychologist report"
        MEDICAL = "medical", "Medical"
        PARENT_LETTER = "parent_letter", "Parent letter"
        LA_CORRESPONDENCE = "la", "LA correspondence"
        ADVICE = "advice", "Professional advice"
        CONCERN = "concern", "Cause-for-concern evidence"
        FROM_PARENT = "from_parent", "From a parent or carer"
        OTHER = "other", "Other"

    class Visibility(models.TextChoices):
        STAFF = "staff", "Staff only"
        PARENTS = "parents", "Shared with parents"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=document_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    category = models.CharField(max_length=20, choices=Category.choices)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.STAFF)
    title = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    concern_id = models.BigIntegerField(null=True, blank=True, help_text="Set when attached to a concern.")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["trust", "pupil", "created_at"])]

    def __str__(self) -> str:
        return self.title


class AccessGrant(TimeStamped):
    """One pupil's record opened to a named person who has no role that explains it, until an end date."""

    class Kind(models.TextChoices):
        COVER_TEACHER = "cover", "Cover teacher"
        EXTERNAL = "external", "External professional"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="access_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_grants")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    profession = models.CharField(max_length=100, blank=True, help_text="For example educational psychologist.")
    reason = models.CharField(max_length=300)
    ends_on = models.DateField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["trust", "user", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.pupil} until {self.ends_on:%-d %b %Y}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.ends_on >= timezone.localdate()


class PupilUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's per-object grant with a real foreign key to the pupil (not the generic table)."""

    content_object = models.ForeignKey(Pupil, on_delete=models.CASCADE)


# Retention (pupils.retention) ------------------------------------------------------------------------


class LegalHold(TimeStamped):
    """A reason the law gives to keep a pupil's record past its retention date: while a hold is in place
    (not lifted) the record is never destroyed. Placing and lifting are audited."""

    class Kind(models.TextChoices):
        TRIBUNAL = "tribunal", "SEND Tribunal appeal or claim"
        COURT_ORDER = "court_order", "Court order or litigation"
        SAFEGUARDING = "safeguarding", "Safeguarding (including an inquiry)"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="legal_holds")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.CharField(max_length=500)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lift_reason = models.CharField(max_length=500, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["trust", "pupil", "lifted_at"])]

    def __str__(self) -> str:
        return f"Legal hold ({self.get_kind_display()})"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class Destruction(TimeStamped):
    """A former pupil's record due for destruction, then, once signed off, its anonymised tombstone.

    While due, `pupil` points at the record. On sign-off the record is destroyed and `pupil` becomes null:
    what is left says what was destroyed (counts per kind), when, by whom and under which rule, and holds no
    name, UPN or date of birth. `former_pupil_id` is the number the audit trail knows the pupil by.
    """

    class Status(models.TextChoices):
        DUE = "due", "Due for destruction"
        DESTROYED = "destroyed", "Destroyed"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT, help_text="The last school.")
    pupil = models.OneToOneField(Pupil, on_delete=models.SET_NULL, null=True, blank=True, related_name="destruction")
    former_pupil_id = models.BigIntegerField()
    rule = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    listed_on = models.DateField()
    destroyed_at = models.DateTimeField(null=True, blank=True)
    destroyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    destroyed_by_name = models.CharField(max_length=150, blank=True)
    counts = models.JSONField(default=dict, blank=True, help_text="What was destroyed: kind -> how many.")
    files_deleted = models.PositiveIntegerField(default=0)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["listed_on", "id"]
        indexes = [models.Index(fields=["trust", "status", "listed_on"])]

    def __str__(self) -> str:
        return f"Record {self.former_pupil_id}: {self.get_status_display()}"


class DataProtectionLead(TimeStamped):
    """The person a trust names as its data protection lead (`data.protection`), instead of its inclusion
    leads."""

    trust = models.OneToOneField(Trust, on_delete=models.PROTECT, related_name="data_protection_lead")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    def __str__(self) -> str:
        return f"Data protection lead: {self.user}"
