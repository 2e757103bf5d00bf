"""A teaching assistant logs one session for a group: everyone present by default, absences, a score or note
per pupil; each pupil's log follows; every problem names its pupil and nothing is half-written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from graduated.models import DeliveryLog, GroupSession
from tests.factories import make_pupil
from tests.permission_cases.graduated import active_cycle, casework_user, provision
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _group(demo: Any, n: int = 3) -> list[Any]:
    return [active_cycle(demo, demo.acorn, legal_surname=f"Groupie{i}") for i in range(n)]


def _url(school: Any) -> str:
    return reverse("graduated:log_group_session", args=[provision(school).pk])


def _post(client: Any, school: Any, cycles: list[Any], **fields: Any) -> Any:
    with scopes_disabled():
        allocations = {c.pk: c.allocations.get().pk for c in cycles}
    data: dict[str, Any] = {"session_date": TODAY.isoformat(), "took_place": "yes"}
    for cycle in cycles:
        data[f"present_{allocations[cycle.pk]}"] = "on"
    for key, value in fields.items():
        name, _, index = key.rpartition("_")
        target = f"{name}_{allocations[cycles[int(index)].pk]}" if index.isdigit() else key
        if value is None:
            data.pop(target, None)
        else:
            data[target] = value
    return client.post(_url(school), data)


def test_the_sessions_page_offers_the_group(demo) -> None:
    _group(demo)
    page = demo.client_for("ta.acorn@oak.test").get(reverse("graduated:sessions")).content.decode()
    assert 'Phonics catch-up group<span class="govuk-visually-hidden">: log a group session</span>' in page
    assert "3 pupils" in page


def test_one_form_logs_everyone_with_absences_scores_and_notes(demo) -> None:
    cycles = _group(demo)
    client = demo.client_for("ta.acorn@oak.test")
    page = client.get(_url(demo.acorn)).content.decode()
    assert "Score: Weekly word check (started at 40, target 80)" in page
    assert page.count("checked") >= 4  # the three pupils present by default, and "Yes, it happened"
    response = _post(client, demo.acorn, cycles, present_1=None, score_0="55", note_2="Tired today")
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        session = GroupSession.objects.get()
        logs = {log.cycle_id: log for log in DeliveryLog.objects.filter(group_session=session)}
        audited = set(
            AuditEntry.objects.filter(summary__contains="group session on").values_list("pupil_id", flat=True)
        )
        first_outcome = cycles[0].outcomes.get()
    assert session.took_place and session.session_date == TODAY
    assert [(logs[c.pk].attended, logs[c.pk].missed_reason) for c in cycles] == [
        (True, ""), (False, "pupil_absent"), (True, "")
    ]  # fmt: skip
    assert (logs[cycles[0].pk].score, logs[cycles[0].pk].outcome_id) == (Decimal(55), first_outcome.pk)
    assert logs[cycles[2].pk].note == "Tired today"
    assert audited == {c.pupil_id for c in cycles}
    # Each pupil's own page shows the session.
    own = client.get(reverse("graduated:log_session", args=[cycles[1].pupil_id])).content.decode()
    assert "missed (the pupil was absent)" in own and "in a group session" in own


def test_a_session_that_did_not_happen_is_missed_for_everyone(demo) -> None:
    cycles = _group(demo, 2)
    response = _post(demo.client_for("ta.acorn@oak.test"), demo.acorn, cycles, took_place="staff_absent")
    assert response.status_code == 302
    with scopes_disabled():
        assert set(DeliveryLog.objects.values_list("attended", "missed_reason")) == {(False, "staff_absent")}
        assert GroupSession.objects.get().missed_reason == "staff_absent"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"session_date": (TODAY + timedelta(days=1)).isoformat()}, "The session date cannot be in the future."),
        ({"present_0": None, "score_0": "5"}, "Groupie0: a score can only be recorded for a pupil who was there."),
        ({"took_place": "cancelled", "score_1": "5"}, "Groupie1: a score can only be recorded"),
        ({"score_0": "lots"}, "Enter the score as a number"),
        ({"note_0": "x" * 301}, "Ensure this value has at most 300 characters"),
    ],
)
def test_a_problem_is_named_and_nothing_is_written(demo, fields, message) -> None:
    cycles = _group(demo, 2)
    response = _post(demo.client_for("ta.acorn@oak.test"), demo.acorn, cycles, **fields)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    with scopes_disabled():
        assert not DeliveryLog.objects.exists() and not GroupSession.objects.exists()


def test_a_refused_line_shows_its_error_beside_the_field_and_keeps_what_was_typed(demo) -> None:
    cycles = _group(demo, 2)
    response = _post(demo.client_for("ta.acorn@oak.test"), demo.acorn, cycles, score_0="lots", note_1="Keep me")
    page = response.content.decode()
    with scopes_disabled():
        first, second = (c.allocations.get().pk for c in cycles)
    # The message sits beside the score, is read with it, and links from the summary; nothing typed is lost.
    assert f'<p id="id_score_{first}_error" class="govuk-error-message">' in page
    assert f'id="id_score_{first}" value="lots" aria-describedby="id_score_{first}_error"' in page
    assert f'href="#id_score_{first}"' in page
    assert f'name="note_{second}" id="id_note_{second}" value="Keep me"' in page
    assert "maxlength" not in page.split('id="main-content"')[-1]  # limits are told and checked, never cut


def test_the_same_session_cannot_be_logged_twice(demo) -> None:
    cycles = _group(demo, 2)
    client = demo.client_for("ta.acorn@oak.test")
    assert _post(client, demo.acorn, cycles).status_code == 302
    again = _post(client, demo.acorn, cycles)
    assert "is already logged: check the date" in again.content.decode()
    with scopes_disabled():
        assert DeliveryLog.objects.count() == 2


def test_a_ta_logs_only_their_own_pupils_and_the_senco_everyone(demo) -> None:
    _group(demo, 2)
    outsider = make_pupil(demo.acorn, legal_surname="Notinmygroup")
    from register.models import RegisterEntry

    with scopes_disabled():
        RegisterEntry.objects.create(
            trust_id=demo.oak.pk, school=demo.acorn, pupil=outsider, status="K", since=TODAY, primary_need="SLCN"
        )
    from graduated import services

    actor = casework_user(demo.acorn)
    with scope(trust=demo.oak.pk):
        cycle = services.start_cycle(pupil=outsider, actor=actor, started_on=TODAY - timedelta(days=20))
        services.add_outcome(
            cycle=cycle, actor=actor, description="Say 5 sounds", baseline="2", target="5", measured_by="Sound check"
        )
        services.allocate_provision(cycle=cycle, actor=actor, provision=provision(demo.acorn))
        services.confirm_plan(
            cycle=cycle, actor=actor, review_date=TODAY + timedelta(days=30), expected_impact="More sounds",
            planned_on=TODAY - timedelta(days=14),
        )  # fmt: skip
    ta_page = demo.client_for("ta.acorn@oak.test").get(_url(demo.acorn)).content.decode()
    senco_page = demo.client_for("senco.acorn@oak.test").get(_url(demo.acorn)).content.decode()
    assert "Notinmygroup" not in ta_page and all(f"Groupie{i}" in ta_page for i in range(2))
    assert "Notinmygroup" in senco_page


@pytest.mark.parametrize("size", [2, 4])
def test_the_group_page_query_count_is_constant(demo, django_assert_num_queries, size: int) -> None:
    _group(demo, size)
    client = demo.client_for("ta.acorn@oak.test")
    client.get(_url(demo.acorn))
    with django_assert_num_queries(12):  # the menu asks who the trust names as data protection lead
        client.get(_url(demo.acorn))


def test_a_single_session_keeps_why_it_was_missed(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scopes_disabled():
        allocation = cycle.allocations.get().pk
    client = demo.client_for("ta.acorn@oak.test")
    url = reverse("graduated:log_session", args=[cycle.pupil_id])
    data = {"allocation": allocation, "session_date": TODAY.isoformat(), "attended": "no", "missed_reason": "cancelled"}
    assert client.post(url, data).status_code == 302
    refused = client.post(url, data | {"attended": "yes"}).content.decode()
    assert "The pupil attended, so leave “why was it missed” empty." in refused
    with scopes_disabled():
        assert list(DeliveryLog.objects.values_list("attended", "missed_reason")) == [(False, "cancelled")]
