"""The statutory windows that are the parent's to act on (A4, R7), in plain words.

The SENCO tracks every deadline; these two are the family's own: 15 days to comment on a draft EHC plan
(and ask for a school to be named), and 15 days to make representations on proposed amendments. The sweep
(`ehcp.sweep`) reminds the child's linked parents of them, and the parent portal shows them as "Your dates".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from pupils.models import Pupil

from .models import Deadline

# What the parent does, in plain words, for each rule that is theirs.
PARENT_RULES: dict[str, str] = {
    "A4": "tell the council what you think of the draft plan",
    "R7": "tell the council what you think of the changes to the plan",
}
# One more short sentence where the window lets the parent ask for more.
ALSO: dict[str, str] = {"A4": "You can also ask for a school to be named in the plan."}
# What the council sent, so the parent can find the letter with the contact details on it.
SENT: dict[str, str] = {"A4": "the draft plan", "R7": "the proposed changes"}


@dataclass(frozen=True)
class ParentDate:
    rule_id: str
    due: date
    what: str
    local_authority: str
    school: str

    @property
    def sentence(self) -> str:
        return f"You have until {_day(self.due)} to {self.what}."

    @property
    def also(self) -> str:
        return ALSO.get(self.rule_id, "")

    @property
    def contact(self) -> str:
        return (
            f"Write to the SEN team at {self.local_authority} council. Their details are on the letter that "
            f"came with {SENT[self.rule_id]}. The SENCO at {self.school} can help you."
        )


def _day(d: date) -> str:
    """ "14 March", with the year only when it is not this year."""
    return f"{d:%-d %B}" if d.year == timezone.localdate().year else f"{d:%-d %B %Y}"


def open_parent_deadlines(pupil: Pupil, *, today: date | None = None) -> list[Deadline]:
    """The child's open A4 and R7 windows that have not passed (one query)."""
    today = today or timezone.localdate()
    return list(
        Deadline.objects.filter(
            pupil=pupil, rule_id__in=list(PARENT_RULES), status=Deadline.Status.OPEN, due__gte=today
        )
        .select_related("school")
        .order_by("due", "id")
    )


def parent_dates_for(pupil: Pupil, *, today: date | None = None) -> list[ParentDate]:
    """ "Your dates" on the portal's child page, soonest first."""
    return [
        ParentDate(d.rule_id, d.due, PARENT_RULES[d.rule_id], d.school.local_authority, d.school.name)
        for d in open_parent_deadlines(pupil, today=today)
    ]


def parent_reminder_text(d: Deadline, today: date) -> str:
    """A parent's reminder, in plain words. It is emailed, so it never names the child."""
    days = (d.due - today).days
    what, last = PARENT_RULES[d.rule_id], f"{d.due:%A %-d %B}"
    if days <= 0:
        opening = f"Today is the last day to {what}."
    else:
        opening = f"You have {'1 day' if days == 1 else f'{days} days'} left to {what}. The last day is {last}."
    return f"{opening} Sign in to see who to contact."
