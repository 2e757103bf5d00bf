"""The demo data: a catalogue per school and cycles in every state for most pupils on SEN support."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django_scopes import scope, scopes_disabled

from graduated import queries
from graduated.demo import seed_graduated
from graduated.models import Cycle, DeliveryLog, ParentMeeting, Provision, StaffRate
from register.demo import seed_pupils_and_register
from trusts.demo import seed_tenancy

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_realistic_graduated_approach_once() -> None:
    with scopes_disabled():
        objects = seed_tenancy()
        seed_pupils_and_register(objects)
        summary = seed_graduated(objects)
        assert "support cycles" in summary
        assert seed_graduated(objects) == "Support cycles were already there."
        acorn = objects["schools"]["acorn"]
        names = set(Provision.objects.filter(school=acorn).values_list("name", flat=True))
        assert {"Phonics catch-up group", "Precision teaching", "Speech and language programme"} <= names
        assert {"ELSA sessions", "Social skills group", "1:1 TA support"} <= names
        assert dict(StaffRate.objects.filter(school=acorn).values_list("role", "hourly_rate"))["hlta"] == 22
        support = sum(
            1 for _ in objects["schools"]["acorn"].pupils.filter(register_entry__status="K", leaving_date=None)
        )
        with_cycles = Cycle.objects.filter(school=acorn).values("pupil").distinct().count()
        assert with_cycles >= support * 0.7
        statuses = dict(Cycle.objects.values_list("status").annotate(n=Count("pk")))
        assert statuses.keys() == {"assessing", "active", "reviewed"}
        assert DeliveryLog.objects.filter(logged_by__email="ta.acorn@oak.test").exists()
        assert DeliveryLog.objects.filter(score__isnull=False).exists()
        assert ParentMeeting.objects.exists()
    for key in ("acorn", "beech", "willow"):
        school = objects["schools"][key]
        with scope(trust=school.trust_id):
            counts = queries.support_counts(school)
            assert counts["due"] > 0 and counts["overdue"] > 0, key
            assert queries.provision_map(school).over_threshold, key
    # Parents' views before a review: parent.acorn's two children, one asked for views, one with views given.
    from graduated.demo import seed_parent_views
    from pupils.models import ContributionReport, ParentContribution, ViewsRequest

    with scopes_disabled():
        assert seed_parent_views(objects) == "Parents' views before a review: asked and given."
        assert seed_parent_views(objects) == ""  # idempotent
        parent = objects["users"]["parent.acorn@oak.test"]
        asked, given = ViewsRequest.objects.get(), ParentContribution.objects.get(author=parent)
        assert asked.pupil_id != given.pupil_id and asked.pupil.contacts.filter(user=parent).exists()
        assert ContributionReport.objects.filter(contribution=given, document__category="from_parent").exists()
