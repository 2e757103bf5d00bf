"""The personal iCalendar feed (RFC 5545): one all-day event per open deadline.

Calendar apps copy events to other services, so an event names the pupil by initials only; the link
opens the deadline in SEND Casework, behind sign-in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from .models import Deadline

PRODID = "-//SEND Casework//Statutory deadlines//EN"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a leading space (RFC 5545 3.1)."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for ch in line:
        b = ch.encode()
        if len(current) + len(b) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += b
    parts.append(current.decode())
    return "\r\n ".join(parts)


def initials(deadline: Deadline) -> str:
    p = deadline.pupil
    if p is None:  # a consultation before admission (A5): no child's initials yet
        return "(not on roll)"
    surname = p.preferred_surname or p.legal_surname
    return f"{p.forename[:1]}.{surname[:1]}.".upper()


def ical_feed(deadlines: Iterable[Deadline], *, base_url: str) -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    lines.append("X-WR-CALNAME:Statutory deadlines")
    for d in deadlines:
        rule = d.rule
        summary = f"{d.rule_id} {initials(d)} ({d.school.name}): {rule.action}"
        if d.status == Deadline.Status.MISSED:
            summary = f"MISSED – {summary}"
        url = base_url + reverse("ehcp:deadline_detail", kwargs={"pk": d.pk})
        description = f"{d.get_responsible_display()}: {rule.action}. The law: {d.wording} ({d.source})."
        if d.has_internal_target:
            description += f" Trust target: {d.due:%-d %B %Y}; statutory date: {d.statutory_due:%-d %B %Y}."
        lines += [
            "BEGIN:VEVENT",
            f"UID:deadline-{d.pk}-{d.trust_id}@send-casework",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{d.due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{d.due + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape(description)}",
            f"URL:{url}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
