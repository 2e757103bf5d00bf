"""Dashboards: numbers against hand-computed fixtures, suppression of small numbers, and no pupil
names or UPNs anywhere a governor or trustee can reach."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urljoin, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from register.services import change_status
from reports import aggregates as agg
from tests.factories import make_pupil

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def on_register(pupil, status, need="SLCN"):
    with scope(trust=pupil.trust_id):
        change_status(
            pupil=pupil,
            to_status=status,
            actor=None,
            reason="x",
            primary_need=need if status != "M" else "",
            parents_told_on=TODAY if status != "M" else None,
            check_permission=False,
        )


@pytest.fixture
def acorn_20(demo):
    """20 pupils at Acorn: 6 on SEN support (4 SLCN, 2 SEMH), 1 monitored, 13 not on the register."""
    pupils = [make_pupil(demo.acorn, year_group="3" if i < 10 else "5") for i in range(20)]
    for p in pupils[:4]:
        on_register(p, "K", "SLCN")
    for p in pupils[4:6]:
        on_register(p, "K", "SEMH")
    on_register(pupils[6], "M")
    return pupils


def test_school_figures_match_hand_counts(demo, acorn_20) -> None:
    with scope(trust=demo.oak.pk):
        row = agg.register_by_school([demo.acorn])[0]
        needs = {n["code"]: n for n in agg.needs_profile([demo.acorn])}
        years = {y["year"]: y for y in agg.by_year_group([demo.acorn])}
    assert row.roll == 20
    assert row.counts == {"N": 13, "M": 1, "K": 6, "E": 0}
    assert needs["SLCN"]["K"] == 4 and needs["SEMH"]["K"] == 2
    assert years["3"] == {"year": "3", "roll": 10, "K": 6, "E": 0}


@pytest.mark.parametrize("url", ["/", "/figures/school/"])
def test_governor_sees_suppressed_aggregates(demo, acorn_20, url) -> None:
    """The figures themselves, cell by cell: the page's note says "fewer than 5" whatever the numbers, so
    finding the words on the page proves nothing."""
    from tests.reports.test_disclosure import _Page

    response = demo.client_for("governor.acorn@oak.test").get(url)
    assert response.status_code == 200
    page = _Page(response.content.decode())
    assert page.terms["On SEN support (K)"][0] == "6"
    assert page.terms["On SEN support (K)"][1].startswith("30% of pupils")  # 6 of 20
    assert page.terms["Being monitored"][0] == "fewer than 5"  # 1
    needs = {r[0]: r[1:] for r in page.table_with("Primary need")[1:]}
    assert needs["Speech, language and communication needs (SLCN)"] == ["fewer than 5", "0"]  # 4
    assert needs["Social, emotional and mental health (SEMH)"] == ["fewer than 5", "0"]  # 2
    years = {r[0]: r[1:] for r in page.table_with("K and E %")[1:]}
    assert years["3"] == ["10", "6", "0", "hidden"]  # 60% of 10 would give away the 4 not on the register


def test_trend_rebuilds_status_at_each_term_end(demo) -> None:
    from datetime import timedelta

    ends = agg.term_ends(TODAY)
    p = make_pupil(demo.acorn, admission_date=ends[0][1] - timedelta(days=400))
    with scope(trust=demo.oak.pk):
        change_status(
            pupil=p,
            to_status="K",
            actor=None,
            reason="x",
            primary_need="MLD",
            effective_date=ends[2][1] - timedelta(days=1),
            parents_told_on=ends[2][1],
            check_permission=False,
        )
        change_status(
            pupil=p,
            to_status="N",
            actor=None,
            reason="x",
            effective_date=ends[4][1] - timedelta(days=1),
            parents_told_on=ends[4][1],
            check_permission=False,
        )
        trend = agg.register_trend([demo.acorn])
    assert [t["K"] for t in trend] == [0, 0, 1, 1, 0, 0]


def _crawl(client, start_urls, limit=60):
    """Every page reachable by GET links from the start pages (same site, bounded)."""
    seen, queue, pages = set(), list(start_urls), {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlparse(url).path + (("?" + urlparse(url).query) if urlparse(url).query else "")
        if path in seen or path.startswith(("/static/", "/accounts/logout")):
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith(("text/html", "text/csv")):
            continue
        body = response.content.decode()
        pages[path] = body
        for href in re.findall(r'href="([^"#]+)"', body):
            href = href.replace("&amp;", "&")
            if href.startswith("/") or href.startswith("?"):
                queue.append(urljoin(path, href))
    return pages


@pytest.mark.parametrize("email", ["governor.acorn@oak.test", "trustee@oak.test"])
def test_no_pupil_name_or_upn_reaches_governors_or_trustees(demo, acorn_20, email) -> None:
    beech = [make_pupil(demo.beech) for _ in range(6)]
    for p in beech:
        on_register(p, "K", "ASD")
    client = demo.client_for(email)
    pages = _crawl(client, ["/", reverse("reports:school_dashboard"), reverse("reports:trust_dashboard")])
    assert len(pages) >= 3
    secrets = [(p.legal_surname, p.upn, p.legal_forename) for p in acorn_20 + beech]
    for path, body in pages.items():
        for surname, upn, forename in secrets:
            assert surname not in body, f"{surname} on {path}"
            assert upn not in body, f"{upn} on {path}"
            assert forename not in body, f"{forename} on {path}"


def test_trust_dashboard_and_csv(demo, acorn_20) -> None:
    client = demo.client_for("trustee@oak.test")
    page = client.get(reverse("reports:trust_dashboard")).content.decode()
    assert "Acorn Primary" in page and "Beech Academy" in page and "Willow Primary" not in page
    assert "<svg" in page and "<title" in page
    csv_text = client.get(reverse("reports:trust_csv", args=["schools"])).content.decode()
    assert "Acorn Primary,20,fewer than 5,6,30%,0,0%,–,0%" in csv_text  # no parent meetings yet
    assert "Beech Academy,0,0,0,–,0,–,–,–" in csv_text
    for email in ("governor.acorn@oak.test", "senco.acorn@oak.test", "parent.acorn@oak.test", "lead@river.test"):
        response = demo.client_for(email).get(reverse("reports:trust_csv", args=["schools"]))
        assert response.status_code == 404 or "Acorn" not in response.content.decode()
    assert client.get(reverse("reports:trust_csv", args=["nonsense"])).status_code == 404


def test_dashboard_queries_do_not_grow_with_pupils(demo) -> None:
    client = demo.client_for("lead@oak.test")
    counts = []
    for n in (5, 60):
        for i in range(n):
            p = make_pupil(demo.acorn if i % 2 else demo.beech)
            if i % 3 == 0:
                on_register(p, "K")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reports:trust_dashboard")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_parent_meeting_coverage_counts_pupils_with_three_meetings(demo, acorn_20) -> None:
    from datetime import date, timedelta

    from graduated.models import ParentMeeting

    day = date(2026, 11, 23)  # a fixed day well inside the school year, so the test holds on any date

    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        for pupil, n in ((acorn_20[0], 3), (acorn_20[1], 2), (acorn_20[2], 4)):
            for i in range(n):
                ParentMeeting.objects.create(
                    trust=demo.oak,
                    school=demo.acorn,
                    pupil=pupil,
                    recorded_by=senco,
                    held_on=day - timedelta(days=i),
                    attendees="Mother",
                )
        coverage = agg.parent_meeting_coverage([demo.acorn], today=day)
    assert coverage[demo.acorn.pk] == {"support": 6, "three_or_more": 2}


def test_provision_cost_per_pupil_hand_worked(demo) -> None:
    """2 sessions a week × 30 minutes × 39 weeks = 39 hours; × £18 (TA) ÷ group of 2 = £351 each."""
    from datetime import date, timedelta
    from decimal import Decimal

    from graduated import services as graduated

    senco = demo.user("senco.acorn@oak.test")
    pupils = [make_pupil(demo.acorn) for _ in range(5)]
    with scope(trust=demo.oak.pk):
        graduated.set_rates(school=demo.acorn, actor=senco, rates={"ta": Decimal("18")})
        phonics = graduated.save_provision(
            school=demo.acorn,
            actor=senco,
            name="Phonics group",
            wave=2,
            area="cognition",
            staff_role="ta",
            group_size=2,
            sessions_per_week=Decimal(2),
            minutes_per_session=30,
            start_date=date(2025, 9, 1),
        )
        for p in pupils:
            on_register(p, "K", "SPLD")
            cycle = graduated.start_cycle(pupil=p, actor=senco)
            graduated.allocate_provision(cycle=cycle, actor=senco, provision=phonics)
            graduated.add_outcome(
                cycle=cycle,
                actor=senco,
                description="Blend CVC words",
                baseline="5",
                target="20",
                measured_by="Phonics check",
            )
            graduated.confirm_plan(
                cycle=cycle,
                actor=senco,
                review_date=TODAY + timedelta(days=30),
                expected_impact="Decoding",
                notify_staff=False,
            )
        cost = agg.provision_cost_by_school([demo.acorn])[demo.acorn.pk]
    assert cost["pupils"] == 5 and cost["total"] == Decimal("1755") and cost["average"] == Decimal("351")
    page = demo.client_for("lead@oak.test").get(reverse("reports:trust_dashboard")).content.decode()
    assert "£351" in page


def test_charts_never_show_a_number_the_table_suppresses(demo) -> None:
    """Beech: 10 pupils, 3 on SEN support (30%, but 3 is fewer than 5). The table says "–"; so must the bar
    chart. A trend with a count of 1 to 4 in any term is shown as the table only."""
    from reports.dashboards import _no_small_counts, trust_dashboard
    from reports.disclosure import suppress_count

    pupils = [make_pupil(demo.beech) for _ in range(10)]
    for p in pupils[:3]:
        on_register(p, "K")
    with scope(trust=demo.oak.pk):
        context = trust_dashboard([demo.beech])
    chart = str(context["chart"])
    assert "30%" not in chart and "–</text>" in chart
    assert context["rows"][0]["K_pct"] == "hidden"

    def trend(*counts):
        return [{"K_shown": suppress_count(k), "E_shown": suppress_count(e)} for k, e in counts]

    assert _no_small_counts(trend((0, 12), (40, 5)))
    assert not _no_small_counts(trend((40, 12), (40, 3)))
    page = demo.client_for("trustee@oak.test").get(reverse("reports:trust_dashboard")).content.decode()
    assert "30%" not in page and "30.0%" not in page


def test_the_cached_trust_figures_change_when_provision_or_meetings_do(demo, acorn_20) -> None:
    """The trust figures are cached on a fingerprint of what would change them: a parent meeting or a
    change of provision must show at once, not an hour later."""
    from reports import dashboards

    with scope(trust=demo.oak.pk):
        schools = [demo.acorn, demo.beech]
        before = dashboards._fingerprint(schools)
        from graduated import services as graduated

        graduated.record_parent_meeting(
            pupil=acorn_20[0],
            actor=demo.user("senco.acorn@oak.test"),
            held_on=TODAY,
            attendees="Mum",
            notes="Talked about reading",
        )
        after_meeting = dashboards._fingerprint(schools)
        assert after_meeting != before
        senco = demo.user("senco.acorn@oak.test")
        graduated.set_rates(school=demo.acorn, actor=senco, rates={"ta": Decimal("21.50")})
        with_rate = dashboards._fingerprint(schools)
        assert with_rate != after_meeting
        graduated.set_rates(school=demo.acorn, actor=senco, rates={"ta": None})  # a deletion counts too
        # Back to no rates: the figures are those of before, and so is the fingerprint.
        assert dashboards._fingerprint(schools) != with_rate


def test_school_figures_queries_do_not_grow_with_pupils_or_deadlines(demo) -> None:
    """The governor's page (now with compliance) runs the same queries at 5 and 60 pupils with plans."""
    from tests.permission_cases.reviews import make_plan

    client = demo.client_for("governor.acorn@oak.test")
    counts = []
    for n in (2, 12):
        for i in range(n):
            p = make_pupil(demo.acorn)
            on_register(p, "K")
            if i % 2 == 0:
                make_plan(demo, demo.acorn)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reports:school_dashboard")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] and counts[0] <= 20, counts
