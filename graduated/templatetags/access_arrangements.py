"""Template tags for the pages of other parts that show a pupil's access arrangements (the passport, the
parent portal) without their views having to fetch them: `{% load access_arrangements %}`."""

from __future__ import annotations

from django import template

from pupils.models import Pupil

from ..models import AccessArrangement
from ..queries.arrangements import PlainArrangement, arrangements_for_parent, arrangements_for_passport

register = template.Library()


@register.simple_tag
def passport_arrangements(pupil: Pupil) -> list[AccessArrangement]:
    """What the pupil's teachers apply in class and tests (the passport view audits the read)."""
    return arrangements_for_passport(pupil)


@register.simple_tag
def parent_arrangements(pupil: Pupil) -> list[PlainArrangement]:
    """The child's arrangements in plain words, for their parent (the portal view audits the read)."""
    return arrangements_for_parent(pupil)
