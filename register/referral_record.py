"""Referrals on the pupil record (pupils.record RECORD_PARTS and pupils.timeline TIMELINE_SOURCES), and
following a pupil who moves school (pupils.moves PUPIL_MOVED_HOOKS)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import timezone

from pupils.models import Pupil
from pupils.record import RecordLink, RecordPart
from pupils.timeline import TimelineEvent
from trusts.models import School, User
from trusts.permissions import can

from .models import Referral
from .referral_queries import referrals_for_record

AGENCIES = dict(Referral.Agency.choices)
RESPONSES = dict(Referral.Response.choices)


def referrals_part(user: User, pupil: Pupil, manage: bool) -> RecordPart | None:
    """The referrals block, for the casework roles of the pupil's school; nothing for anyone else."""
    if not can(user, "referral.view", pupil):
        return None
    links = []
    if can(user, "referral.change", pupil):
        links.append(RecordLink("Refer to an outside agency", reverse("register:referral_new", args=[pupil.pk])))
    return RecordPart(
        template="register/referrals/_record.html",
        context={"referrals": referrals_for_record(user, pupil)},
        links=links,
    )


def _url(row: dict[str, Any]) -> str:
    return reverse("register:referral_detail", kwargs={"pk": row["ref"]})


TIMELINE_TEXTS = {
    "referral.made": lambda row: TimelineEvent(
        day=row["day"], text=f"Referred to {AGENCIES.get(row['note'], 'an outside agency')}.", url=_url(row)
    ),
    "referral.response": lambda row: TimelineEvent(
        day=row["day"], text=f"Referral response: {RESPONSES.get(row['note'], '').lower()}.", url=_url(row)
    ),
    "referral.appointment": lambda row: TimelineEvent(
        day=row["day"], text=f"Appointment with {AGENCIES.get(row['note'], 'an outside agency')}.", url=_url(row)
    ),
    "referral.report": lambda row: TimelineEvent(
        day=row["day"], text=f"Report received from {AGENCIES.get(row['note'], 'an outside agency')}.", url=_url(row)
    ),
}


def move_referrals(
    *, pupil: Pupil, from_school: School, to_school: School, moved_on: date, actor: User | None
) -> list[str]:
    """A pupil's referrals follow them to the new school (its SENCO carries them on). Returns what moved."""
    moved = Referral.objects.filter(pupil=pupil).update(school=to_school, updated_at=timezone.now())
    return [f"{moved} {'referral' if moved == 1 else 'referrals'} to outside agencies."] if moved else []
