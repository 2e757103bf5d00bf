"""Tenancy (trust, school, calendar), users and memberships, the audit trail and notifications."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from . import year_groups
from .year_groups import YEAR_GROUPS, YEAR_INDEX


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Trust(TimeStamped):
    """The tenant. Nothing of one trust is ever visible to another."""

    name = models.CharField(max_length=200, unique=True)
    companies_house_number = models.CharField(max_length=8, blank=True)
    # The trust's `Trusts (code)` in the DfE register (Get Information about Schools), set when a platform
    # operator onboards the trust from an extract (`trusts.onboarding`). Null, not blank, for trusts set up
    # by hand, so that the code stays unique among the trusts that have one.
    gias_code = models.CharField("GIAS trust code", max_length=20, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(TimeStamped):
    class Phase(models.TextChoices):
        """Which phase transfers leave the school (SEND Regulations 2014, reg 2(1): early years to school,
        infant to junior, primary to middle or secondary, middle to secondary, secondary to post-16)."""

        NURSERY = "nursery", "Nursery"
        INFANT = "infant", "Infant"
        JUNIOR = "junior", "Junior"
        PRIMARY = "primary", "Primary"
        MIDDLE = "middle", "Middle"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SPECIAL = "special", "Special"
        ALTERNATIVE = "alternative", "Alternative provision"
        POST16 = "post16", "16 plus"

    class Status(models.TextChoices):
        """`EstablishmentStatus (name)` in the DfE register. A closed school keeps its casework: it is
        flagged, never deleted."""

        OPEN = "open", "Open"
        CLOSING = "closing", "Open, but proposed to close"
        PROPOSED = "proposed", "Proposed to open"
        CLOSED = "closed", "Closed"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    urn = models.CharField(
        "URN", max_length=6, unique=True, validators=[RegexValidator(r"^\d{6}$", "A URN is 6 digits.")]
    )
    la_code = models.CharField(
        "LA code", max_length=3, validators=[RegexValidator(r"^\d{3}$", "An LA code is 3 digits.")]
    )
    establishment_number = models.CharField(
        max_length=4, validators=[RegexValidator(r"^\d{4}$", "An establishment number is 4 digits.")]
    )
    phase = models.CharField(max_length=20, choices=Phase.choices)
    local_authority = models.CharField(max_length=100)
    # From the register (`trusts.gias`); empty for schools set up by hand before onboarding existed.
    establishment_type = models.CharField(max_length=100, blank=True, help_text="TypeOfEstablishment in GIAS.")
    statutory_low_age = models.PositiveSmallIntegerField(null=True, blank=True)
    statutory_high_age = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True, help_text="CloseDate in GIAS, when it gives one.")
    # The trust's own year range, where the phase and the register's ages do not tell it (or tell it wrongly).
    # Onboarding never sets these, so it keeps the trust's correction. Empty: from the ages, else the phase.
    first_year_group = models.CharField(max_length=2, blank=True, choices=YEAR_GROUPS)
    last_year_group = models.CharField(max_length=2, blank=True, choices=YEAR_GROUPS)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "name"], name="school_name_unique_in_trust"),
            models.CheckConstraint(
                condition=models.Q(first_year_group="", last_year_group="")
                | (~models.Q(first_year_group="") & ~models.Q(last_year_group="")),
                name="school_year_range_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        first, last = self.first_year_group, self.last_year_group
        if bool(first) != bool(last):
            raise ValidationError("Give both the first and the last year group, or neither.")
        if first and last and YEAR_INDEX[first] > YEAR_INDEX[last]:
            raise ValidationError(
                f"The first year group ({self.get_first_year_group_display()}) comes after the last "
                f"({self.get_last_year_group_display()})."
            )

    def year_range(self) -> tuple[str, str] | None:
        """(first, last) year group the school teaches, or None when nothing says (`year_groups.year_range`)."""
        return year_groups.year_range(
            phase=self.phase,
            low_age=self.statutory_low_age,
            high_age=self.statutory_high_age,
            first=self.first_year_group,
            last=self.last_year_group,
        )

    def year_range_display(self) -> str:
        """The range in words: "Reception to Year 6", or "not known"."""
        return year_groups.range_display(self.year_range())

    @property
    def dfe_number(self) -> str:
        return f"{self.la_code}/{self.establishment_number}"


class SchoolCalendar(TimeStamped):
    """One academic year's term dates for one school (September starts the year)."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="calendars")
    academic_year = models.PositiveSmallIntegerField(help_text="The year in which the academic year starts.")

    objects = ScopedManager(trust="trust")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "academic_year"], name="one_calendar_per_school_year")]

    def __str__(self) -> str:
        return f"{self.school} {self.academic_year}/{(self.academic_year + 1) % 100:02d}"


class HalfTerm(TimeStamped):
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    calendar = models.ForeignKey(SchoolCalendar, on_delete=models.CASCADE, related_name="half_terms")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=40)
    start = models.DateField()
    end = models.DateField()

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["calendar", "position"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "position"], name="half_term_position_unique"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="half_term_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.start:%-d %b %Y} to {self.end:%-d %b %Y}"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is needed.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address.

    `trust` is the tenant the person works in (null only for platform operators). It is on the user
    rather than found through memberships because sign-in must load a user before any trust scope is
    active; the user row holds no casework, so it is deliberately not a scoped model.
    """

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the platform operators' admin site.")
    date_joined = models.DateTimeField(default=timezone.now)
    calendar_token = models.CharField(max_length=64, blank=True, db_index=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    INCLUSION_LEAD = "inclusion_lead", "Trust inclusion lead"
    TRUSTEE = "trustee", "Trustee"
    HEADTEACHER = "headteacher", "Headteacher"
    SENCO = "senco", "SENCO"
    TEACHER = "teacher", "Teacher"
    TEACHING_ASSISTANT = "teaching_assistant", "Teaching assistant"
    GOVERNOR = "governor", "Governor"
    PARENT = "parent", "Parent or carer"


TRUST_WIDE_ROLES = frozenset({Role.INCLUSION_LEAD, Role.TRUSTEE})
_TRUST_WIDE_VALUES = sorted(r.value for r in TRUST_WIDE_ROLES)  # sorted: stable migrations
STAFF_ROLES = frozenset(set(Role) - {Role.PARENT})


class Membership(TimeStamped):
    """A person's role in the trust (trust-wide roles) or in one school."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)

    objects = ScopedManager(trust="trust")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "school", "role"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=models.Q(school=None), name="trust_membership_unique"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=_TRUST_WIDE_VALUES, school=None)
                    | (~models.Q(role__in=_TRUST_WIDE_VALUES) & ~models.Q(school=None))
                ),
                name="trust_roles_have_no_school",
            ),
        ]
        indexes = [models.Index(fields=["trust", "user"])]

    def __str__(self) -> str:
        where = self.school.name if self.school_id and self.school else "the trust"
        return f"{self.user} – {self.get_role_display()} at {where}"

    def clean(self) -> None:
        if self.user_id and self.user.trust_id != self.trust_id:
            raise ValidationError("A person can only hold roles in their own trust.")
        if self.school is not None and self.school.trust_id != self.trust_id:
            raise ValidationError("The school belongs to another trust.")


class AuditQuerySet(models.QuerySet[Any]):
    """No Django path changes or removes an audit row: not update(), delete(), nor the private bulk paths
    that cascades and save() use (the model's base manager is this queryset's, see Meta)."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit trail is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit trail is append-only.")

    def _update(self, values: Any) -> Any:
        raise PermissionError("The audit trail is append-only.")

    def _raw_delete(self, using: Any) -> int:
        raise PermissionError("The audit trail is append-only.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise PermissionError("The audit trail is append-only.")


class AuditEntry(models.Model):
    """Who did what, when, to which object; and every view of a pupil's record, document or export.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger refuses them too.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        CHANGE = "change", "Changed"
        DELETE = "delete", "Removed"
        EXPORT = "export", "Exported"
        DOWNLOAD = "download", "Downloaded"
        SIGN_IN = "sign_in", "Signed in"
        SIGN_OUT = "sign_out", "Signed out"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        GRANT = "grant", "Granted access"
        REVOKE = "revoke", "Revoked access"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    pupil_id = models.BigIntegerField(null=True, blank=True, help_text="Set when the entry concerns one pupil.")
    summary = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = ScopedManager(_manager_class=models.Manager.from_queryset(AuditQuerySet), trust="trust")

    class Meta:
        ordering = ["-at", "-id"]
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["trust", "pupil_id", "at"]),
            models.Index(fields=["trust", "school", "at"]),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit trail is append-only.")


class AuditSeal(models.Model):
    """The hash chain over a trust's audit trail, kept beside it (append-only too).

    `trusts.audit_chain.seal` gives each entry, in the order it is sealed, a position and
    entry_hash = SHA-256(previous entry_hash + the entry's fields). Changing, removing or inserting an entry
    outside the application breaks the chain, which `manage.py verify_audit` reports.
    """

    entry = models.OneToOneField(AuditEntry, on_delete=models.PROTECT, primary_key=True, related_name="seal")
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    position = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    objects = ScopedManager(_manager_class=models.Manager.from_queryset(AuditQuerySet), trust="trust")

    class Meta:
        base_manager_name = "objects"
        constraints = [models.UniqueConstraint(fields=["trust", "position"], name="audit_seal_position_unique")]

    def __str__(self) -> str:
        return f"{self.trust_id}#{self.position}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)


class Notification(models.Model):
    """An in-app notification, also emailed. The email has its own state (`trusts.email`): pending →
    sending → sent, or failed (a permanent refusal, too many attempts, or interrupted while sending)."""

    class EmailStatus(models.TextChoices):
        PENDING = "pending", "Waiting to be emailed"
        SENDING = "sending", "Being emailed"
        SENT = "sent", "Emailed"
        FAILED = "failed", "Could not be emailed"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=500)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_next_attempt_at = models.DateTimeField(null=True, blank=True)
    email_last_error = models.CharField(max_length=300, blank=True)
    # Makes repeated sends impossible: e.g. "deadline:42:reminder-7" for one recipient.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_once_per_key"),
        ]
        indexes = [
            models.Index(fields=["trust", "recipient", "read_at"]),
            # The email queue: only rows still to send or being sent, in order.
            models.Index(
                fields=["email_status", "email_next_attempt_at", "id"],
                name="notification_email_queue",
                condition=models.Q(email_status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return self.text


class SingleSignOn(TimeStamped):
    """A trust's OpenID Connect identity provider (Microsoft Entra ID, Google Workspace...).

    Sign-in through it reaches only accounts the trust already made (or invited), for addresses in
    `allowed_domains`. The client secret is stored encrypted (`trusts.sso.encrypt_secret`) or named as an
    environment variable, and is never shown back.
    """

    class Kind(models.TextChoices):
        MICROSOFT = "microsoft", "Microsoft Entra ID (Microsoft 365)"
        GOOGLE = "google", "Google Workspace"
        OTHER = "oidc", "Another OpenID Connect provider"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="single_sign_ons")
    provider_id = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MICROSOFT)
    issuer = models.URLField(max_length=300)
    client_id = models.CharField(max_length=255)
    client_secret_encrypted = models.TextField(blank=True)
    client_secret_env = models.CharField(max_length=100, blank=True)
    allowed_domains = models.CharField(max_length=500)
    idp_mfa_counts = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["trust", "provider_id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.trust}"

    @property
    def domains(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.allowed_domains.split(",") if d.strip()]


class Invitation(TimeStamped):
    """An invitation sent to an email address: staff (with the roles to give), a parent (to a contact) or an
    outside professional (to an access grant). Nothing is attached to an account until someone who
    proves they receive mail at that address accepts it (`trusts.invitations`).
    Only the SHA-256 of the token is stored; the token itself is only in the email."""

    class Kind(models.TextChoices):
        STAFF = "staff", "Staff"
        PARENT = "parent", "Parent or carer"
        ACCESS = "access", "Access to one pupil's record"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    email = models.EmailField()
    full_name = models.CharField(max_length=150, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    # Staff: [{"role": ..., "school": id|null}]; parent: {"contact": id}; access: {"grant": id}.
    payload = models.JSONField(default=dict)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["trust", "email"]), models.Index(fields=["trust", "kind", "accepted_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} invitation to {self.email}"

    @property
    def pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
