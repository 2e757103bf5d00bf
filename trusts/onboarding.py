"""Onboarding a trust from the DfE register: the trust, its schools and its first inclusion lead.

A platform operator gives a GIAS establishment extract (`trusts.gias`), the trust's code in it and the
inclusion lead's email address. `onboard_trust` then, in one transaction:
- finds the trust by its GIAS code (or a trust set up by hand with the same name and no code yet, which it
  adopts), or creates it, named from `Trusts (name)`;
- creates each open school of the trust not yet here, and updates the ones that are, by URN: name, DfE
  number, local authority, type, phase, age range and status;
- flags a school the register now shows as closed (status and close date). Its casework stays: nothing is
  ever deleted;
- invites the inclusion lead, unless they already are the trust's lead or have an invitation waiting
  (re-sent only when asked).

Running it again with the same or a newer extract is safe: it changes only what the register changed, adds
new academies and never makes a second school for a URN. What it never does silently: move a school
between trusts (a URN already belonging to another trust is an error), nor touch a school of ours that the
register no longer lists under this trust (reported, for the operator to decide). Any problem with any row
of the trust, or with the lead, stops everything: nothing is written, and every problem is reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scope

from . import audit, gias
from .invitations import accept_url, create_invitation, send_invitation
from .models import Invitation, Membership, Role, School, Trust, User

# Fields the register sets on a school; a re-run compares these to report what changed.
REGISTER_FIELDS = (
    "name",
    "la_code",
    "establishment_number",
    "local_authority",
    "establishment_type",
    "phase",
    "statutory_low_age",
    "statutory_high_age",
    "status",
    "closed_on",
)

INVITED = "invited"
RESENT = "resent"
WAITING = "waiting"  # an invitation is pending and was not re-sent
ALREADY_LEAD = "already_lead"


def is_platform_operator(user: User) -> bool:
    """Who may onboard trusts: a superuser with no trust, the person the tenant middleware lets see every
    trust (in the admin) and the only kind of account that belongs to no tenant (see `User.trust`)."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser and user.trust_id is None
    )


@dataclass(frozen=True)
class SchoolLine:
    urn: str
    name: str
    changes: tuple[str, ...] = ()

    def __str__(self) -> str:
        detail = f": {'; '.join(self.changes)}" if self.changes else ""
        return f"{self.name} (URN {self.urn}){detail}"


@dataclass
class OnboardingSummary:
    """What onboarding did (or, for a dry run, would do)."""

    trust_name: str
    trust_code: str
    trust_created: bool
    created: list[SchoolLine] = field(default_factory=list)
    updated: list[SchoolLine] = field(default_factory=list)
    closed: list[SchoolLine] = field(default_factory=list)
    unchanged: list[SchoolLine] = field(default_factory=list)
    not_added: list[SchoolLine] = field(default_factory=list)  # closed in the register, never here
    no_longer_listed: list[SchoolLine] = field(default_factory=list)  # ours, not under this trust any more
    invitation: str = ""
    lead_email: str = ""
    invitation_link: str = ""
    dry_run: bool = False
    trust_id: int | None = None  # None after a dry run (the trust may not exist)
    invitation_id: int | None = None  # the invitation to email once committed

    @property
    def invitation_text(self) -> str:
        verb = {
            INVITED: "will be invited" if self.dry_run else "invited",
            RESENT: "will get the invitation again" if self.dry_run else "sent the invitation again",
            WAITING: "already has an invitation waiting (not sent again)",
            ALREADY_LEAD: "is already the trust's inclusion lead (no invitation)",
        }[self.invitation]
        return f"Inclusion lead {self.lead_email}: {verb}"

    def lines(self) -> list[str]:
        """The summary as plain lines, for the command's output."""
        would = "Would create" if self.dry_run else "Created"
        out = [f"Trust: {self.trust_name} ({self.trust_code}), {'new' if self.trust_created else 'already here'}"]
        for label, items in (
            (f"{would} schools", self.created),
            ("Updated schools" if not self.dry_run else "Would update schools", self.updated),
            ("Flagged closed" if not self.dry_run else "Would flag closed", self.closed),
            ("Unchanged", self.unchanged),
            ("Closed in the register, not added", self.not_added),
            ("No longer listed under this trust in the register (nothing changed)", self.no_longer_listed),
        ):
            out.append(f"{label}: {len(items)}")
            out += [f"  - {item}" for item in items]
        out.append(self.invitation_text)
        return out


class _DryRun(Exception):
    def __init__(self, summary: OnboardingSummary) -> None:
        self.summary = summary


def onboard_trust(
    *,
    extract: gias.Extract,
    trust_code: str,
    lead_email: str,
    actor: User | None,
    today: date,
    dry_run: bool = False,
    resend: bool = False,
    send_now: bool = False,
) -> OnboardingSummary:
    """Create or update the trust `trust_code` and its schools from the extract; invite the lead.

    Side effects (none for `dry_run`, which works everything out and rolls it back): the trust and school
    rows, one audit entry for the onboarding and one per school created or changed, and the lead's
    invitation. The invitation email goes after commit through the queue, or with `send_now` at once
    (the command does, to show the link: `summary.invitation_link`). Raises ValidationError listing every
    problem; then nothing is written.
    """
    code = gias.normalise_trust_code(trust_code)
    email = (lead_email or "").strip().lower()
    problems: list[str] = []
    if not gias.valid_trust_code(code):
        problems.append("Enter the trust's code as the extract shows it in “Trusts (code)”: letters and digits.")
    try:
        validate_email(email)
    except ValidationError:
        problems.append("Enter the inclusion lead's email address in the correct format, like name@trust.org.uk.")
    if problems:
        raise ValidationError(problems)
    rows = gias.rows_of_trust(extract, code)
    if not rows:
        raise ValidationError(
            f"No establishment in the file has the trust code {code} in “Trusts (code)”. Check the code on the "
            "trust's page in Get Information about Schools."
        )
    checked = gias.check_rows(rows)
    if checked.problems:
        raise ValidationError(checked.problems)
    names = [e.trust_name for e in checked.establishments if e.trust_name]
    if not names:
        raise ValidationError(f"The rows of trust {code} have no “Trusts (name)”: the trust needs its name.")
    try:
        with transaction.atomic():
            summary = _apply(
                establishments=checked.establishments,
                code=code,
                trust_name=max(set(names), key=names.count)[:200],
                email=email,
                actor=actor,
                today=today,
                resend=resend,
                dry_run=dry_run,
            )
            if dry_run:
                raise _DryRun(summary)
    except _DryRun as done:
        return done.summary
    return _send(summary=summary, send_now=send_now)


def _apply(
    *,
    establishments: list[gias.Establishment],
    code: str,
    trust_name: str,
    email: str,
    actor: User | None,
    today: date,
    resend: bool,
    dry_run: bool,
) -> OnboardingSummary:
    trust, trust_created = _trust_for(code=code, name=trust_name)
    summary = OnboardingSummary(
        trust_name=trust.name,
        trust_code=code,
        trust_created=trust_created,
        lead_email=email,
        dry_run=dry_run,
        trust_id=None if dry_run else trust.pk,
    )
    problems: list[str] = []
    with scope(trust=trust.pk):
        ours = {s.urn: s for s in School.objects.all()}
        names_taken = {s.name.lower(): s.urn for s in ours.values()}
        listed = set()
        for est in establishments:
            listed.add(est.urn)
            school = ours.get(est.urn)
            values = _values(est, today=today, school=school)
            if school is None:
                if est.status == School.Status.CLOSED:
                    summary.not_added.append(SchoolLine(est.urn, est.name or est.urn))
                    continue
                problem = _create(trust=trust, values=values, est=est, names_taken=names_taken, actor=actor)
                if problem:
                    problems.append(problem)
                else:
                    summary.created.append(SchoolLine(est.urn, est.name))
                continue
            changes = [_change(school, name, value) for name, value in values.items() if getattr(school, name) != value]
            if not changes:
                summary.unchanged.append(SchoolLine(school.urn, school.name))
                continue
            new_name = str(values.get("name", school.name))
            clash = names_taken.get(new_name.lower())
            if clash not in (None, school.urn):
                problems.append(_name_taken(est, str(clash)))
                continue
            names_taken.pop(school.name.lower(), None)
            names_taken[new_name.lower()] = school.urn
            newly_closed = values["status"] == School.Status.CLOSED and school.status != School.Status.CLOSED
            for name, value in values.items():
                setattr(school, name, value)
            school.save(update_fields=[*values, "updated_at"])
            line = SchoolLine(school.urn, school.name, tuple(changes))
            (summary.closed if newly_closed else summary.updated).append(line)
            audit.record(
                actor=actor,
                action=audit.Action.CHANGE,
                obj=school,
                summary=f"Updated from the GIAS register: {'; '.join(changes)}"[:300],
            )
        summary.no_longer_listed = [
            SchoolLine(s.urn, s.name) for urn, s in sorted(ours.items()) if urn not in listed and s.status != "closed"
        ]
        invitation = _invite_lead(
            trust=trust, email=email, actor=actor, resend=resend, summary=summary, problems=problems
        )
        if problems:
            raise ValidationError(problems)
        audit.record(
            actor=actor,
            action=audit.Action.CREATE if trust_created else audit.Action.CHANGE,
            obj=trust,
            trust_id=trust.pk,
            summary=(
                f"Onboarded from the GIAS register (trust {code}): {len(summary.created)} schools created, "
                f"{len(summary.updated)} updated, {len(summary.closed)} flagged closed, "
                f"{len(summary.unchanged)} unchanged; {summary.invitation_text}"
            )[:300],
        )
    summary.invitation_id = invitation.pk if invitation is not None else None
    return summary


def _trust_for(*, code: str, name: str) -> tuple[Trust, bool]:
    """The trust with this GIAS code; else one set up by hand with this name and no code (adopted: it gets
    the code); else a new one. The name follows the register. Two trusts cannot share a name."""
    trust = Trust.objects.select_for_update().filter(gias_code=code).first()
    created = False
    if trust is None:
        trust = Trust.objects.select_for_update().filter(name=name, gias_code=None).first()
    if trust is None:
        trust, created = Trust(name=name, gias_code=code), True
    elif trust.name == name and trust.gias_code == code:
        return trust, False
    trust.name, trust.gias_code = name, code
    try:
        with transaction.atomic():
            trust.save()
    except IntegrityError as exc:
        raise ValidationError(
            f"Another trust on the platform is already called “{name}”, with a different GIAS code. Check the "
            "trust code, or rename that trust in the admin first."
        ) from exc
    return trust, created


def _values(est: gias.Establishment, *, today: date, school: School | None) -> dict[str, Any]:
    """What the register says about the school. A closed row carries only its status and close date (see
    `gias.check_row`), so the school keeps the rest; a closure with no CloseDate is dated today."""
    closed_on = est.closed_on
    if est.status == School.Status.CLOSED:
        if closed_on is None:
            closed_on = school.closed_on if school is not None and school.closed_on else today
        if school is not None:
            return {"status": est.status, "closed_on": closed_on}
    return {
        "name": est.name,
        "la_code": est.la_code,
        "establishment_number": est.establishment_number,
        "local_authority": est.la_name,
        "establishment_type": est.establishment_type,
        "phase": est.phase,
        "statutory_low_age": est.low_age,
        "statutory_high_age": est.high_age,
        "status": est.status,
        "closed_on": closed_on if est.status == School.Status.CLOSED else None,
    }


LABELS = {
    "name": "name",
    "la_code": "LA code",
    "establishment_number": "establishment number",
    "local_authority": "local authority",
    "establishment_type": "type",
    "phase": "phase",
    "statutory_low_age": "lowest age",
    "statutory_high_age": "highest age",
    "status": "status",
    "closed_on": "closed on",
}


def _change(school: School, name: str, value: Any) -> str:
    """One changed field in words: "name Acorn Primary → Acorn Primary Academy"."""
    choices: dict[str, str] = {"phase": dict(School.Phase.choices), "status": dict(School.Status.choices)}.get(name, {})
    before, after = (choices.get(v, v) if v not in (None, "") else "empty" for v in (getattr(school, name), value))
    return f"{LABELS[name]} {before} → {after}"


def _create(
    *, trust: Trust, values: dict[str, Any], est: gias.Establishment, names_taken: dict[str, str], actor: User | None
) -> str:
    """Add the school; a problem sentence instead when its name or URN is taken."""
    clash = names_taken.get(est.name.lower())
    if clash is not None:
        return _name_taken(est, clash)
    school = School(trust=trust, urn=est.urn, **values)
    try:
        # The URN is unique across the platform; another trust's school is invisible here (scope and row-level
        # security), so the database's unique constraint is what tells us.
        with transaction.atomic():
            school.save()
    except IntegrityError:
        return (
            f"Row {est.row} (URN {est.urn}): this URN is already a school of another trust on the platform. "
            "Schools never move between trusts silently: if the academy has changed trust, move its records first."
        )
    names_taken[est.name.lower()] = est.urn
    audit.record(actor=actor, action=audit.Action.CREATE, obj=school, summary="Added from the GIAS register")
    return ""


def _name_taken(est: gias.Establishment, urn: str) -> str:
    return f"Row {est.row} (URN {est.urn}): another school of the trust (URN {urn}) is called “{est.name}”."


def _pending_lead_invitation(email: str) -> Invitation | None:
    pending = Invitation.objects.filter(
        kind=Invitation.Kind.STAFF, email=email, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).order_by("-created_at")
    for invitation in pending:
        roles = invitation.payload.get("roles", []) if isinstance(invitation.payload, dict) else []
        if any(r.get("role") == Role.INCLUSION_LEAD and r.get("school") is None for r in roles):
            return invitation
    return None


def _invite_lead(
    *, trust: Trust, email: str, actor: User | None, resend: bool, summary: OnboardingSummary, problems: list[str]
) -> Invitation | None:
    """The lead's invitation to send, if any; sets `summary.invitation`."""
    account = User.objects.filter(email__iexact=email).first()
    if account is not None and account.trust_id != trust.pk:
        problems.append(
            f"{email} already has an account in another organisation on the platform, so it cannot be this "
            "trust's inclusion lead. Use the lead's address at this trust."
        )
        return None
    if account is not None and Membership.objects.filter(user=account, role=Role.INCLUSION_LEAD).exists():
        summary.invitation = ALREADY_LEAD
        return None
    pending = _pending_lead_invitation(email)
    if pending is not None:
        summary.invitation = RESENT if resend else WAITING
        return pending if resend else None
    summary.invitation = INVITED
    return create_invitation(
        trust_id=trust.pk,
        kind=Invitation.Kind.STAFF,
        email=email,
        payload={"roles": [{"role": Role.INCLUSION_LEAD.value, "school": None}]},
        invited_by=actor,
        send=False,
    )


def _send(*, summary: OnboardingSummary, send_now: bool) -> OnboardingSummary:
    """Email the invitation: at once (returning its link), or through the queue once committed."""
    if summary.invitation_id is None:
        return summary
    if not send_now:
        from .tasks import send_invitation_email

        send_invitation_email.delay_on_commit(invitation_id=summary.invitation_id)
        return summary
    with scope(trust=summary.trust_id):
        invitation = Invitation.objects.select_related("trust", "school", "invited_by").get(pk=summary.invitation_id)
        token = send_invitation(invitation=invitation)
    summary.invitation_link = accept_url(token) if token else ""
    return summary
