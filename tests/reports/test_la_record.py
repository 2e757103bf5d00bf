"""The local authority's record (issue #18): each LA's deadlines on time, late (by how many days), overdue and
not yet due, by code and academic year; trustees' tables with small numbers suppressed; the inclusion lead's
escalation letter; constant query counts."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from ehcp import services as ehcp
from ehcp.deadlines import record_exception
from ehcp.models import Deadline
from reports import la_record
from tests.factories import make_pupil
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 7)  # academic year 2026/27
LEAD = "lead@oak.test"


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


def _request(demo: Any, school: Any, received: date, *, surname: str, decided: date | None = None, la: str = "") -> Any:
    pupil = make_pupil(school, legal_forename="Amy", legal_surname=surname)
    with scope(trust=school.trust_id):
        a = ehcp.request_assessment(
            pupil=pupil,
            requested_by="parent",
            request_received_on=received,
            local_authority=la,
            actor=demo.user(LEAD if school.trust_id == demo.oak.pk else "lead@river.test"),
        )
        if decided is not None:
            ehcp.record_assessment_event(
                assessment=a, event="decision", on=decided, decision="assess", actor=demo.user(LEAD)
            )
    return a


@pytest.fixture
def cases(demo: Any) -> dict[str, Any]:
    """At Acorn (Shropshire): A1 met 10 days late, A1 overdue (42 days so far), A1 on time; a child whose
    case Telford and Wrekin holds, overdue; at Willow (River, Worcestershire) one overdue."""
    return {
        "late": _request(demo, demo.acorn, date(2026, 9, 7), surname="Baker", decided=date(2026, 10, 29)),
        "overdue": _request(demo, demo.acorn, date(2026, 9, 14), surname="Carter"),
        "on_time": _request(demo, demo.acorn, date(2026, 9, 21), surname="Dodd", decided=date(2026, 10, 1)),
        "across": _request(demo, demo.beech, date(2026, 9, 7), surname="Evans", la="Telford and Wrekin"),
        "river": _request(demo, demo.willow, date(2026, 9, 7), surname="Fox"),
    }


def _records(demo: Any, schools: list[Any]) -> dict[str, la_record.LaRecord]:
    with scope(trust=demo.oak.pk):
        return {r.name: r for r in la_record.la_records(schools, today=TODAY)}


def test_each_la_deadline_is_on_time_late_overdue_or_not_yet_due(demo, cases) -> None:
    records = _records(demo, [demo.acorn, demo.beech])
    assert sorted(records) == ["Shropshire", "Telford and Wrekin"]  # River's Worcestershire is not Oak's
    a1 = records["Shropshire"].year(2026)["A1"]
    assert (a1.due, a1.on_time, a1.late, a1.overdue, a1.not_yet_due) == (3, 1, 1, 1, 0)
    # 19 October due, done 29 October: 10 days; 26 October due, still open on 7 December: 42 days so far.
    assert dict(a1.days) == {10: 1, 42: 1}
    assert (a1.median_days, a1.worst_days) == (26, 42)
    a3 = records["Shropshire"].year(2026)["A3"]
    assert (a3.due, a3.not_yet_due) == (3, 3)
    telford = records["Telford and Wrekin"].year(2026)["A1"]
    assert (telford.due, telford.overdue, dict(telford.days)) == (1, 1, {49: 1})
    assert records["Shropshire"].total(2025).due == 0


def test_an_exception_the_law_allows_is_neither_late_nor_in_the_letter(demo, cases) -> None:
    with scope(trust=demo.oak.pk):
        d = Deadline.objects.get(subject_id=cases["overdue"].pk, subject_type="needs_assessment", rule_id="A1")
        record_exception(deadline=d, kind="holiday", evidence="School closed for 5 weeks.", actor=demo.user(LEAD))
        a1 = la_record.la_records([demo.acorn], today=TODAY)[0].year(2026)["A1"]
        content = la_record.letter_content(
            schools=[demo.acorn], local_authority="Shropshire", start=date(2026, 9, 1), end=TODAY, today=TODAY
        )
    assert (a1.late, a1.overdue, a1.exception, dict(a1.days)) == (1, 0, 1, {10: 1})
    assert [m.initials for m in content.missed] == ["A.B."] and content.exceptions == 1


def test_the_record_reads_in_one_query_whatever_the_number_of_deadlines(demo, cases) -> None:
    schools = [demo.acorn, demo.beech]
    with scope(trust=demo.oak.pk), CaptureQueriesContext(connection) as few:
        la_record.la_records(schools, today=TODAY)
    for n in range(6):
        _request(demo, demo.beech, date(2026, 9, 1 + n), surname=f"More{n}", decided=date(2026, 11, 2 + n))
        _request(demo, demo.acorn, date(2026, 9, 1 + n), surname=f"Other{n}", la="Powys")
    with scope(trust=demo.oak.pk), CaptureQueriesContext(connection) as many:
        records = la_record.la_records(schools, today=TODAY)
    assert len(few) == len(many) == 1
    assert {r.name for r in records} == {"Powys", "Shropshire", "Telford and Wrekin"}


def test_the_page_keeps_its_query_count_at_two_sizes(demo, cases, django_assert_max_num_queries) -> None:
    client = demo.client_for(LEAD)
    url = reverse("reports:la_record")
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(8):
        _request(demo, demo.beech, date(2026, 9, 1 + n), surname=f"More{n}", decided=date(2026, 11, 2 + n))
        _request(demo, demo.acorn, date(2026, 9, 1 + n), surname=f"Other{n}", la="Powys")
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert "Powys" in response.content.decode()
    assert len(small) <= 20


def test_the_lead_sees_full_numbers_and_trustees_see_small_numbers_hidden(demo, cases) -> None:
    url = reverse("reports:la_record")
    lead = demo.client_for(LEAD).get(url).content.decode()
    trustee = demo.client_for("trustee@oak.test").get(url).content.decode()
    assert "Shropshire" in lead and "Telford and Wrekin" in lead and "42 days" in lead and "26 days" in lead
    assert "Write to Shropshire about the deadlines it missed" in lead
    assert "Shropshire" in trustee and "fewer than 5" in trustee
    assert "42 days" not in trustee and "Write to" not in trustee
    for name in ("Baker", "Carter", "Dodd", "Evans", "A.B."):
        assert name not in trustee and name not in lead


def test_a_senco_sees_their_own_schools_slice_only(demo, cases) -> None:
    page = demo.client_for("senco.acorn@oak.test").get(reverse("reports:la_record")).content.decode()
    assert "Shropshire" in page and "Acorn Primary" in page
    assert "Telford and Wrekin" not in page  # Beech's case
    assert "Write to" not in page


def test_a_bad_year_shows_this_year(demo, cases) -> None:
    response = demo.client_for(LEAD).get(reverse("reports:la_record") + "?year=banana")
    assert response.status_code == 200 and "2026/27" in response.content.decode()


def test_another_trusts_lead_sees_nothing_of_this_trust(demo, cases) -> None:
    client = demo.client_for("lead@river.test")
    page = client.get(reverse("reports:la_record")).content.decode()
    assert "Worcestershire" in page and "Shropshire" not in page and "Telford" not in page
    response = client.post(reverse("reports:la_letter"), _letter_form(local_authority="Shropshire"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Choose one of the local authorities listed" in response.content.decode()


def _letter_form(**changes: str) -> dict[str, str]:
    return {
        "local_authority": "Shropshire",
        "period_start": "2026-09-01",
        "period_end": "2026-12-07",
        "request_text": "Please decide on the open requests within 14 days.",
    } | changes


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_the_lead_produces_an_escalation_letter_for_a_late_la(demo, cases) -> None:
    with scopes_disabled():
        before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = demo.client_for(LEAD).post(reverse("reports:la_letter"), _letter_form())
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Letter to Shropshire 2026-12-07.pdf" in response["Content-Disposition"]
    text = _text(response.content)
    assert "To the SEN team, Shropshire" in text and "Statutory time limits missed" in text
    # The cases by initials only, each with its limit, source, date due, date done or still open, days late.
    assert "A.B." in text and "A.C." in text and "Baker" not in text and "Carter" not in text
    assert "A.D." not in text  # on time: not listed
    assert "SEND Regulations 2014, reg 5" in text and "Within 6 weeks of receiving the request" in text
    assert "19 October 2026" in text and "29 October 2026" in text and "26 October 2026" in text
    assert "Still open" in text and "42 so far" in text
    assert "Of the 3 deadlines that fell due, 1 was met on time and 2 were missed: 1 is still open today." in text
    assert "Please decide on the open requests within 14 days." in text and "Helen Marsh" in text
    assert "Evans" not in text and "A.E." not in text  # Telford and Wrekin's case
    with scopes_disabled():
        entries = list(AuditEntry.objects.filter(pk__gt=before, action="export"))
    assert {e.pupil_id for e in entries} == {cases["late"].pupil_id, cases["overdue"].pupil_id, None}
    assert all(e.actor_id == demo.user(LEAD).pk for e in entries)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"period_end": "2026-08-01"}, "period_end", "must be on or after the first day"),
        ({"period_end": "2027-01-01"}, "period_end", "cannot be after today"),
        ({"period_start": "2026-02-31"}, "period_start", "as a real date"),
        ({"period_start": "2020-01-01"}, "period_start", "5 years or less"),
        ({"local_authority": "Nowhere"}, "local_authority", "Choose one of the local authorities listed"),
        ({"local_authority": ""}, "local_authority", "Choose the local authority to write to."),
        ({"request_text": ""}, "request_text", "Say what the trust asks"),
        ({"request_text": "x" * 3001}, "request_text", "3,000 characters or fewer"),
        ({"period_end": "2026-10-18"}, "local_authority", "No deadline of Shropshire fell due in this period"),
        (
            {"period_start": "2026-10-27", "period_end": "2026-11-02"},
            "local_authority",
            "Shropshire missed none of its deadlines due in this period (1 due): there is nothing to escalate.",
        ),
    ],
)
def test_bad_letter_input_is_answered_beside_the_field(demo, cases, changes, field, message) -> None:
    response = demo.client_for(LEAD).post(reverse("reports:la_letter"), _letter_form(**changes))
    assert response.status_code == 200
    page = response.content.decode()
    error = page.split(f'id="id_{field}_error"', 1)
    assert len(error) == 2, page
    assert message in error[1].split("</p>", 1)[0]


def test_the_letter_form_starts_from_the_la_chosen_and_this_school_year(demo, cases) -> None:
    page = demo.client_for(LEAD).get(reverse("reports:la_letter") + "?la=Shropshire").content.decode()
    assert '<option value="Shropshire" selected>' in page
    assert 'value="2026-09-01"' in page and 'value="2026-12-07"' in page
    assert "within 14 days of this letter" in page


def test_the_demo_has_a_late_la_whose_letter_has_content(demo) -> None:
    """seed_demo's step: the LA decided 9 days after the 6 weeks of A1 at Acorn (Oak's first school)."""
    from reports.la_record_demo import seed_la_record
    from tests.permission_cases.graduated import active_cycle

    active_cycle(demo, demo.acorn)  # a pupil on SEN support, as seed_pupils_and_register leaves them
    objects = {"trusts": demo.trusts, "schools": demo.schools, "users": demo.users}
    with scopes_disabled():
        assert seed_la_record(objects).startswith("1 LA decision")
        assert seed_la_record(objects) == ""  # idempotent
    response = demo.client_for(LEAD).post(reverse("reports:la_letter"), _letter_form())
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "SEND Regulations 2014, reg 5" in text and "Acorn Primary" in text
    assert "12 October 2026" in text and "21 October 2026" in text
    assert "Of the 1 deadline that fell due, 0 were met on time and 1 was missed: 0 are still open today." in text


def test_the_bench_rows_run_on_a_small_seed_scale_trust(settings, django_assert_max_num_queries) -> None:
    """make bench's "LA record" and "Promised and delivered" rows, on seed_scale's trust at 2 schools (the
    bench itself runs 50 on PostgreSQL): each page answers 200 within the bench's 20-query budget."""
    from django.core.management import call_command
    from django.test import Client

    from bench import scenarios
    from trusts.models import User

    settings.DEBUG = True
    call_command("seed_scale", "--schools", "2", "--pupils-per-school", "60", stdout=io.StringIO())
    wanted = ("LA record", "Promised and delivered")
    rows = [spec for spec in scenarios.PAGES(scenarios.context()) if spec["name"].startswith(wanted)]
    assert [r["name"] for r in rows] == [
        "LA record, trust (50 schools)",
        "LA record, trustees (small numbers hidden)",
        "Promised and delivered (1,000-pupil school)",
        "Promised and delivered, trust (50 schools)",
    ]
    for spec in rows:
        client = Client()
        with scopes_disabled():
            client.force_login(User.objects.get(email=spec["email"]))
        client.get(spec["url"])  # the session and the first-request lookups, as the bench's warm-up
        with django_assert_max_num_queries(spec["budget_queries"] if "budget_queries" in spec else 20):
            response = client.get(spec["url"])
        page = response.content.decode()
        assert response.status_code == 200
        assert ("Benchshire" if spec["name"].startswith("LA") else "Promised and delivered") in page


def test_the_cached_record_follows_every_change(demo, cases) -> None:
    """The page keeps the record in the cache; a deadline met, or an LA name corrected, shows at once."""
    client = demo.client_for(LEAD)
    url = reverse("reports:la_record")
    assert "Powys" not in client.get(url).content.decode()
    later = time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)
    with later, scope(trust=demo.oak.pk):
        ehcp.record_assessment_event(
            assessment=cases["overdue"],
            event="decision",
            on=date(2026, 12, 1),
            decision="assess",
            actor=demo.user(LEAD),
        )
        records = {r.name: r for r in la_record.cached_la_records([demo.acorn, demo.beech], today=TODAY)}
    a1 = records["Shropshire"].year(2026)["A1"]
    assert (a1.late, a1.overdue, a1.worst_days) == (2, 0, 36)
    corrected = time_machine.travel(datetime(2026, 12, 7, 11, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)
    with corrected, scopes_disabled():
        cases["across"].local_authority = "Powys"
        cases["across"].save()  # a correction through the form saves the row (updated_at)
    assert "Powys" in client.get(url).content.decode()
