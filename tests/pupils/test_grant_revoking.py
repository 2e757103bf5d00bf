"""Revoking an access grant, the record's section listing grants in force, and constant query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import reverse
from django_scopes import scope

from pupils import grants
from pupils.models import AccessGrant
from tests.factories import pupil_at
from tests.permission_cases.documents import make_external_user, make_grant
from tests.pupils.grant_helpers import SENCO, has_permission, signed_in, visible
from trusts.models import AuditEntry, Notification, User

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------ revoking


def test_revoke_from_the_record_removes_access_at_once_and_is_audited(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    professional = make_external_user(demo.oak)
    grant = make_grant(pupil, professional)
    client = signed_in(demo.user(SENCO))
    response = client.post(reverse("pupils:revoke_access", args=[pupil.pk, grant.pk]), {"next": "record"})
    assert response.status_code == 302
    assert response["Location"] == reverse("pupils:record", args=[pupil.pk])
    assert not has_permission(professional, pupil)
    assert visible(professional) == set()
    with scope(trust=demo.oak.pk):
        grant.refresh_from_db()
        assert grant.revoked_at is not None
        entry = AuditEntry.objects.get(action="revoke")
        assert Notification.objects.filter(recipient=professional, kind="access.revoked").exists()
    assert (entry.actor, entry.pupil_id) == (demo.user(SENCO), pupil.pk)
    # Again: nothing changes, nothing more is logged.
    client.post(reverse("pupils:revoke_access", args=[pupil.pk, grant.pk]))
    with scope(trust=demo.oak.pk):
        assert AuditEntry.objects.filter(action="revoke").count() == 1
    assert "Removed" in client.get(reverse("pupils:access_grants", args=[pupil.pk])).content.decode()


def test_revoke_needs_post_and_the_grant_of_that_pupil(demo) -> None:
    pupil, other = pupil_at(demo, demo.acorn), pupil_at(demo, demo.acorn)
    grant = make_grant(other, make_external_user(demo.oak))
    client = signed_in(demo.user(SENCO))
    assert client.get(reverse("pupils:revoke_access", args=[pupil.pk, grant.pk])).status_code == 405
    assert client.post(reverse("pupils:revoke_access", args=[pupil.pk, grant.pk])).status_code == 404


def test_revoking_one_grant_keeps_another_in_force_for_the_same_pupil(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    professional = make_external_user(demo.oak)
    first = make_grant(pupil, professional, ends_on=dt.date.today() + dt.timedelta(days=3))
    make_grant(pupil, professional, ends_on=dt.date.today() + dt.timedelta(days=90))
    with scope(trust=demo.oak.pk):
        grants.revoke_access(grant=first, actor=demo.user(SENCO))
    assert has_permission(professional, pupil) and visible(professional) == {pupil.pk}


def test_only_those_who_may_grant_may_revoke(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    grant = make_grant(pupil, make_external_user(demo.oak))
    with scope(trust=demo.oak.pk), pytest.raises(PermissionDenied):
        grants.revoke_access(grant=grant, actor=demo.user("teacher.acorn@oak.test"))


# --------------------------------------------------------------------------------- record section


def test_record_section_lists_grants_in_force_with_remove_buttons_for_casework_roles(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    active = make_grant(pupil, make_external_user(demo.oak))
    ended = make_grant(pupil, make_external_user(demo.oak), ends_on=dt.date.today() - dt.timedelta(days=1))
    with scope(trust=demo.oak.pk):
        section = grants.grants_for_record(demo.user(SENCO), pupil)
        html = render_to_string("pupils/_grants_section.html", {"pupil": pupil, "grants": section})
        for email in ("teacher.acorn@oak.test", "ta.acorn@oak.test"):
            hidden = grants.grants_for_record(demo.user(email), pupil)
            assert not hidden.shown and list(hidden) == []
            assert render_to_string("pupils/_grants_section.html", {"pupil": pupil, "grants": hidden}).strip() == ""
        grantee_view = grants.grants_for_record(active.user, pupil)
    assert list(section) == [active] and section.can_grant
    assert str(active.user) in html and str(ended.user) not in html
    assert reverse("pupils:revoke_access", args=[pupil.pk, active.pk]) in html
    assert not grantee_view.shown


# ---------------------------------------------------------------------------------------- queries


def test_shared_with_me_page_uses_a_fixed_number_of_queries(demo, django_assert_max_num_queries) -> None:
    professional = make_external_user(demo.oak)
    client = signed_in(professional)
    counts = []
    for total in (1, 4):
        while len(list(grants_of(professional))) < total:
            make_grant(pupil_at(demo, demo.acorn if total == 1 else demo.beech), professional)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("pupils:shared_with_me"))
        assert page.content.decode().count('class="govuk-table__row"') == total + 1
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[1]):
        client.get(reverse("pupils:shared_with_me"))


def grants_of(user: Any) -> list[AccessGrant]:
    with scope(trust=user.trust_id):
        return list(AccessGrant.objects.filter(user=user))


def test_access_page_and_record_section_use_a_fixed_number_of_queries(demo) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pupil = pupil_at(demo, demo.acorn)
    client = signed_in(demo.user(SENCO))
    counts = []
    for total in (1, 4):
        while len(grants_of_pupil(demo, pupil)) < total:
            make_grant(pupil, make_external_user(demo.oak))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("pupils:access_grants", args=[pupil.pk]))
        fresh = User.objects.get(email=SENCO)
        with scope(trust=demo.oak.pk), CaptureQueriesContext(connection) as section_queries:
            section = grants.grants_for_record(fresh, pupil)
            render_to_string("pupils/_grants_section.html", {"pupil": pupil, "grants": section})
        counts.append((len(queries), len(section_queries)))
    assert counts[0] == counts[1]


def grants_of_pupil(demo: Any, pupil: Any) -> list[AccessGrant]:
    with scope(trust=demo.oak.pk):
        return list(AccessGrant.objects.filter(pupil=pupil))
