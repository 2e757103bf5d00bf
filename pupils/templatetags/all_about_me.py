"""The pupil's latest "All about me" for the pages that show it (pupil passport, annual review, portal):
``{% load all_about_me %}{% latest_all_about_me pupil as profile %}``. One query. The page including it
has already checked who may read the pupil's support and written the read to the access log."""

from __future__ import annotations

from typing import Any

from django import template

from pupils import voice
from pupils.models import AllAboutMe, Pupil

register = template.Library()


@register.simple_tag
def latest_all_about_me(pupil: Pupil) -> AllAboutMe | None:
    return voice.latest_for(pupil)


@register.filter
def sections_of(profile: AllAboutMe) -> list[tuple[Any, str]]:
    """The written sections of a version, in page order (empty ones left out)."""
    return [(s, text) for s, text in voice.answers_of(profile) if text.strip()]
