"""register's part of the pupil record (pupils.record): SEN status and needs, the register's history and
the causes for concern on the timeline, and the concerns section."""

from __future__ import annotations

from django.urls import reverse

from pupils.models import Pupil
from pupils.record import RecordLink, RecordPart
from pupils.timeline import TimelineEvent
from trusts.models import User
from trusts.permissions import can

from .concern_queries import concerns_for_record
from .models import RegisterChange, RegisterEntry
from .queries import register_history


def _history_text(change: RegisterChange) -> str:
    text = f"Register: {change.get_from_status_display()} → {change.get_to_status_display()}. {change.reason}"
    if change.parents_told_on:
        text += f" Parents told {change.parents_told_on:%-d %B %Y}."
    if change.changed_by:
        text += f" ({change.changed_by})"
    return text


def register_part(user: User, pupil: Pupil, manage: bool) -> RecordPart:
    history = list(register_history(pupil))
    concerns = concerns_for_record(user, pupil)
    timeline = [TimelineEvent(day=c.effective_date, text=_history_text(c)) for c in history]
    for concern in concerns:
        text = f"Cause for concern raised: {concern.get_status_display().lower()}"
        if concern.outcome:
            text += f", outcome {concern.get_outcome_display().lower()}"
        timeline.append(TimelineEvent(day=concern.created_at.date(), text=text + "."))
    links = []
    if manage and (pupil.leaving_date or pupil.possible_leaver_since) and can(user, "register.change", pupil):
        links.append(RecordLink("Send the common transfer file", reverse("register:ctf_send", args=[pupil.pk])))
    return RecordPart(
        links=links,
        template="register/_record_register.html",
        context={
            "entry": RegisterEntry.objects.filter(pupil=pupil).first(),
            "concerns": concerns,
        },
        timeline=timeline,
    )
