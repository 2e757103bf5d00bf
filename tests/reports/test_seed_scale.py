"""seed_scale builds a consistent large trust (tried small here), refuses twice and without DEBUG."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

pytestmark = pytest.mark.django_db


def test_seed_scale_small(settings) -> None:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_scale", "--schools", "2", "--pupils-per-school", "60", stdout=out)
    from ehcp.models import Deadline
    from pupils.models import Pupil
    from register.models import RegisterEntry
    from trusts.models import Trust

    with scopes_disabled():
        trust = Trust.objects.get(name="Scale Academies Trust")
        assert Pupil.objects.filter(trust=trust).count() == 120
        on_register = RegisterEntry.objects.filter(trust=trust, status__in=["K", "E"]).count()
        assert 0 < on_register < 60
        assert Deadline.objects.filter(trust=trust).count() > on_register
    again = io.StringIO()
    call_command("seed_scale", "--schools", "2", "--pupils-per-school", "60", stdout=again)
    assert "already exists" in again.getvalue()


def test_seed_scale_refuses_without_debug_and_bad_sizes(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_scale")
    settings.DEBUG = True
    with pytest.raises(CommandError, match="1 to 200 schools"):
        call_command("seed_scale", "--schools", "0")
