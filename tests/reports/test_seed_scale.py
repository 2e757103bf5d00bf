"""seed_scale builds a consistent large trust (tried small here), refuses twice and without DEBUG."""

from __future__ import annotations

import io
import random

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


def test_seed_scale_national_tiny(settings) -> None:
    """`--trusts N`: the benchmark trust and N-1 others from 1 school up, sharing --pupils-total; on PostgreSQL
    through COPY (CI), elsewhere bulk_create. Every row stays in its own trust, and the ids it used are behind
    the sequences, so the ORM's next row fits in."""
    settings.DEBUG = True
    from django.db.models import F

    from ehcp.models import Deadline
    from graduated.models import DeliveryLog
    from pupils.models import Pupil
    from register.models import RegisterEntry
    from reports.management.commands.seed_scale import national_plan
    from tests.factories import make_pupil
    from trusts.models import School, Trust

    args = ["--trusts", "3", "--schools", "2", "--pupils-per-school", "20", "--pupils-total", "100"]
    args += ["--max-trust-schools", "4"]
    assert national_plan(trusts=3, pupils_total=100, big=(2, 20), max_schools=4) == [[20, 20], [12], [12] * 4]
    call_command("seed_scale", *args, stdout=io.StringIO())
    with scopes_disabled():
        sizes = {t.name: Pupil.objects.filter(trust=t).count() for t in Trust.objects.all()}
        assert sizes == {"Scale Academies Trust": 40, "National Trust 001": 12, "National Trust 002": 48}
        assert School.objects.filter(trust__name="National Trust 002").count() == 4
        assert RegisterEntry.objects.filter(status__in=["K", "E"]).exists()
        for model in (Pupil, RegisterEntry, Deadline, DeliveryLog):
            assert not model.objects.exclude(trust_id=F("school__trust_id")).exists(), model
        assert not Deadline.objects.exclude(pupil=None).exclude(trust_id=F("pupil__trust_id")).exists()
        school = School.objects.get(name="Scale School 01")
        later = make_pupil(school)
        assert later.pk > Pupil.objects.exclude(pk=later.pk).order_by("-pk").values_list("pk", flat=True)[0]
    again = io.StringIO()
    call_command("seed_scale", *args, stdout=again)
    assert "0 trusts" in again.getvalue()
    with scopes_disabled():
        assert Pupil.objects.count() == 101


def test_seed_scale_as_the_application_role_goes_through_row_level_security(settings) -> None:
    """The application's role is held to row-level security, where PostgreSQL refuses COPY: its rows go in as
    INSERTs that the policy checks (app.trust_id is "*" with the scopes switched off), ids from the sequences."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row-level security is PostgreSQL's; CI runs this file on PostgreSQL")
    from pupils.models import Pupil
    from reports.management.commands.seed_scale import national_plan, seed_national
    from trusts.models import Trust

    role = "send_seed_test_app"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    call_command("grant_app_role", role=role, stdout=io.StringIO())
    plan = national_plan(trusts=2, pupils_total=80, big=(2, 20), max_schools=2)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    try:
        with scopes_disabled():
            seed_national(plan, random.Random(3), io.StringIO())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    with scopes_disabled():
        assert sorted(Pupil.objects.filter(trust=t).count() for t in Trust.objects.all()) == [40, 40]
