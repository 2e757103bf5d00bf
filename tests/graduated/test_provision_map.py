"""The provision map: hand-worked cost arithmetic, filters, the £6,000 flag, the CSV, and a constant query count."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope
from hypothesis import given
from hypothesis import strategies as st

from graduated import costs, queries, services
from graduated.queries import MapFilters
from tests.permission_cases.graduated import casework_user, provision, support_pupil
from trusts.models import AuditEntry

# Hand-worked: hours = sessions × minutes ÷ 60 × 39; cost = hours × rate ÷ group size.
HAND_WORKED = [
    # (sessions, minutes, rate, group, hours, cost)
    (Decimal(3), 20, Decimal(18), 4, Decimal("39"), Decimal("175.50")),  # phonics group: 39 h × £18 ÷ 4
    (Decimal(5), 10, Decimal(18), 1, Decimal("32.5"), Decimal("585.00")),  # precision teaching 1:1
    (Decimal(1), 45, Decimal(22), 1, Decimal("29.25"), Decimal("643.50")),  # ELSA with an HLTA
    (Decimal(1), 45, Decimal(18), 6, Decimal("29.25"), Decimal("87.75")),  # social skills group of 6
    (Decimal("0.5"), 60, Decimal(60), 1, Decimal("19.5"), Decimal("1170.00")),  # specialist, fortnightly
    (Decimal(5), 75, Decimal(18), 1, Decimal("243.75"), Decimal("4387.50")),  # 1:1 TA support
    (Decimal(5), 10, Decimal(40), 30, Decimal("32.5"), Decimal("43.33")),  # a teacher's wave 1 strategy
]


@pytest.mark.parametrize(("sessions", "minutes", "rate", "group", "hours", "cost"), HAND_WORKED)
def test_hours_and_cost_per_pupil_match_the_hand_worked_figures(sessions, minutes, rate, group, hours, cost) -> None:
    assert costs.hours_per_year(sessions, minutes) == hours
    assert costs.cost_per_pupil(sessions, minutes, rate, group) == cost


def test_the_threshold_is_more_than_six_thousand_pounds() -> None:
    assert costs.SCHOOL_WEEKS == 39
    assert not costs.over_threshold(Decimal("6000.00"))
    assert costs.over_threshold(Decimal("6000.01"))


@given(
    sessions=st.decimals(min_value=Decimal("0.1"), max_value=Decimal(30), places=1),
    minutes=st.integers(min_value=1, max_value=600),
    rate=st.decimals(min_value=Decimal(0), max_value=Decimal(1000), places=2),
    group=st.integers(min_value=1, max_value=40),
)
def test_a_full_group_costs_what_one_adult_costs(sessions, minutes, rate, group) -> None:
    """Shares are rounded to the penny once each, so the group's total is within a penny a pupil of the adult's cost."""
    adult = costs.hours_per_year(sessions, minutes) * rate
    share = costs.cost_per_pupil(sessions, minutes, rate, group)
    assert share >= 0
    assert abs(share * group - adult) <= Decimal("0.005") * group + Decimal("0.005")


def _plan(demo, pupil, *items):
    with scope(trust=pupil.trust_id):
        cycle = services.start_cycle(pupil=pupil, actor=casework_user(pupil.school))
        for item in items:
            services.allocate_provision(cycle=cycle, actor=casework_user(pupil.school), provision=item)
    return cycle


@pytest.fixture
def catalogue(demo):
    return {
        "phonics": provision(demo.acorn, "Phonics catch-up group"),
        "elsa": provision(
            demo.acorn, "ELSA sessions", wave=2, area="semh", staff_role="hlta", group_size=1,
            sessions_per_week=Decimal(1), minutes_per_session=45,
        ),
        "one_to_one": provision(
            demo.acorn, "1:1 TA support", wave=3, staff_role="ta", group_size=1,
            sessions_per_week=Decimal(5), minutes_per_session=75,
        ),
        "specialist": provision(
            demo.acorn, "Specialist teacher", wave=3, staff_role="specialist", group_size=1,
            sessions_per_week=Decimal("0.5"), minutes_per_session=60,
        ),
    }  # fmt: skip


@pytest.mark.django_db
def test_the_map_lists_each_provision_with_its_pupils_hours_and_cost(demo, catalogue) -> None:
    a = support_pupil(demo, demo.acorn, legal_surname="Ashworth", year_group="3")
    b = support_pupil(demo, demo.acorn, legal_surname="Bhatt", year_group="5")
    _plan(demo, a, catalogue["phonics"], catalogue["elsa"])
    _plan(demo, b, catalogue["phonics"], catalogue["one_to_one"], catalogue["specialist"], catalogue["elsa"])
    with scope(trust=demo.oak.pk):
        pmap = queries.provision_map(demo.acorn)
    rows = {r.provision.name: r for r in pmap.rows}
    assert [p.legal_surname for p in rows["Phonics catch-up group"].pupils] == ["Ashworth", "Bhatt"]
    assert rows["Phonics catch-up group"].cost_per_pupil == Decimal("175.50")
    assert rows["Phonics catch-up group"].total_cost == Decimal("351.00")
    assert rows["Phonics catch-up group"].groups == 1
    assert rows["Phonics catch-up group"].staff_hours == Decimal(39)
    assert rows["ELSA sessions"].total_cost == Decimal("1287.00")  # 2 × £643.50, one-to-one
    totals = {t.pupil.legal_surname: t for t in pmap.pupils}
    assert totals["Ashworth"].cost == Decimal("819.00")  # 175.50 + 643.50
    assert totals["Bhatt"].cost == Decimal("6376.50")  # 175.50 + 4387.50 + 1170 + 643.50
    assert [t.pupil.legal_surname for t in pmap.pupils] == ["Bhatt", "Ashworth"]  # highest cost first
    assert [t.pupil.legal_surname for t in pmap.over_threshold] == ["Bhatt"]
    assert pmap.total_cost == Decimal("7195.50")
    assert totals["Bhatt"].hours == Decimal("331.5")  # 39 + 243.75 + 19.5 + 29.25


@pytest.mark.django_db
def test_reviewed_cycles_and_leavers_are_not_on_the_map(demo, catalogue) -> None:
    from datetime import timedelta

    from django.utils import timezone

    current = support_pupil(demo, demo.acorn, legal_surname="Current")
    left = support_pupil(demo, demo.acorn, legal_surname="Leaver")
    _plan(demo, current, catalogue["phonics"])
    _plan(demo, left, catalogue["phonics"])
    with scope(trust=demo.oak.pk):
        left.leaving_date = timezone.localdate() - timedelta(days=1)
        left.save()
        pupils = next(
            r for r in queries.provision_map(demo.acorn).rows if r.provision.name.startswith("Phonics")
        ).pupils
    assert [p.legal_surname for p in pupils] == ["Current"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filters", "provisions", "pupils"),
    [
        (MapFilters(area="semh"), {"ELSA sessions"}, {"Ashworth", "Bhatt"}),
        (MapFilters(wave=3), {"1:1 TA support", "Specialist teacher"}, {"Bhatt"}),
        (MapFilters(year="3"), {"Phonics catch-up group", "ELSA sessions"}, {"Ashworth"}),
    ],
)
def test_filters_by_need_wave_and_year_keep_each_pupils_full_total(demo, catalogue, filters, provisions, pupils):
    a = support_pupil(demo, demo.acorn, legal_surname="Ashworth", year_group="3")
    b = support_pupil(demo, demo.acorn, legal_surname="Bhatt", year_group="5")
    _plan(demo, a, catalogue["phonics"], catalogue["elsa"])
    _plan(demo, b, catalogue["one_to_one"], catalogue["specialist"], catalogue["elsa"])
    with scope(trust=demo.oak.pk):
        pmap = queries.provision_map(demo.acorn, filters)
    assert {r.provision.name for r in pmap.rows} == provisions
    assert {t.pupil.legal_surname for t in pmap.pupils} == pupils
    if "Bhatt" in pupils:
        assert next(t for t in pmap.pupils if t.pupil.legal_surname == "Bhatt").cost == Decimal("6201.00")


@pytest.mark.django_db
def test_a_missing_rate_is_shown_and_costs_nothing(demo) -> None:
    external = provision(demo.acorn, "Outreach visit", staff_role="external", group_size=1)
    _plan(demo, support_pupil(demo, demo.acorn), external)
    page = demo.client_for("senco.acorn@oak.test").get(reverse("graduated:provision_map")).content.decode()
    assert "No hourly rate is set for: External professional" in page
    with scope(trust=demo.oak.pk):
        assert queries.provision_map(demo.acorn).rows[-1].cost_per_pupil == Decimal("0.00")


@pytest.mark.django_db
def test_the_map_page_shows_costs_and_flags_pupils_over_the_threshold(demo, catalogue) -> None:
    b = support_pupil(demo, demo.acorn, legal_surname="Bhatt")
    _plan(demo, b, catalogue["one_to_one"], catalogue["specialist"], catalogue["elsa"])
    page = demo.client_for("senco.acorn@oak.test").get(reverse("graduated:provision_map")).content.decode()
    assert "£4,387.50" in page and "£6,201.00" in page
    assert "Over £6,000" in page
    assert "× 39 school weeks" in page


@pytest.mark.django_db
def test_the_csv_has_a_row_per_pupil_in_each_provision_and_is_audited(demo, catalogue) -> None:
    a = support_pupil(demo, demo.acorn, legal_surname="Ashworth", legal_forename="Amy", year_group="3")
    _plan(demo, a, catalogue["phonics"])
    response = demo.client_for("senco.acorn@oak.test").get(reverse("graduated:provision_map_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel shows "£" as "£", not "Â£"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Provision" and rows[0][-1] == "Over £6,000"
    phonics = next(r for r in rows if r[0] == "Phonics catch-up group")
    assert phonics[4:] == ["4", "3", "20", "39.0", "18.00", "175.50", "Amy Ashworth", a.upn, "3", "175.50", ""]
    with scope(trust=demo.oak.pk):
        assert AuditEntry.objects.filter(action="export", summary__startswith="Provision map").count() == 1


@pytest.mark.django_db
def test_csv_cells_cannot_become_spreadsheet_formulas(demo) -> None:
    evil = provision(demo.acorn, '=HYPERLINK("http://x")')
    _plan(demo, support_pupil(demo, demo.acorn), evil)
    response = demo.client_for("senco.acorn@oak.test").get(reverse("graduated:provision_map_csv"))
    body = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][0] == '\'=HYPERLINK("http://x")'  # quoted once, not twice


@pytest.mark.django_db
def test_other_schools_and_trusts_do_not_show(demo, catalogue) -> None:
    _plan(demo, support_pupil(demo, demo.beech, legal_surname="Beechpupil"), provision(demo.beech))
    _plan(demo, support_pupil(demo, demo.willow, legal_surname="Willowpupil"), provision(demo.willow))
    page = demo.client_for("senco.acorn@oak.test").get(reverse("graduated:provision_map")).content.decode()
    assert "Beechpupil" not in page and "Willowpupil" not in page
    lead = demo.client_for("lead@oak.test")
    assert "Beechpupil" in lead.get(reverse("graduated:provision_map") + f"?school={demo.beech.pk}").content.decode()
    assert lead.get(reverse("graduated:provision_map") + f"?school={demo.willow.pk}").status_code == 404


@pytest.mark.django_db
def test_the_map_page_query_count_does_not_grow_with_pupils(demo, catalogue) -> None:
    client = demo.client_for("senco.acorn@oak.test")
    counts = []
    for n in (2, 25):
        for _ in range(n - (2 if n == 25 else 0)):
            _plan(demo, support_pupil(demo, demo.acorn), catalogue["phonics"], catalogue["elsa"])
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("graduated:provision_map"))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert response.content.decode().count("ELSA sessions") >= 1


@pytest.mark.django_db
def test_the_trust_figures_count_the_same_provision_as_the_senco_map(demo, catalogue) -> None:
    """One definition (graduated.queries.counted_allocations): the trust's cost per pupil and the SENCO's map
    agree on the same data. Before, the trust counted only active cycles and counted leavers too."""
    from datetime import timedelta

    from django.utils import timezone

    from reports import aggregates

    planning = support_pupil(demo, demo.acorn, legal_surname="Planning")  # cycle still being assessed
    current = support_pupil(demo, demo.acorn, legal_surname="Current")
    left = support_pupil(demo, demo.acorn, legal_surname="Leaver")
    _plan(demo, planning, catalogue["elsa"])
    _plan(demo, current, catalogue["phonics"], catalogue["one_to_one"])
    _plan(demo, left, catalogue["specialist"])
    with scope(trust=demo.oak.pk):
        left.leaving_date = timezone.localdate() - timedelta(days=1)
        left.save()
        pmap = queries.provision_map(demo.acorn)
        trust = aggregates.provision_cost_by_school([demo.acorn])[demo.acorn.pk]
    assert {t.pupil.legal_surname for t in pmap.pupils} == {"Planning", "Current"}
    assert trust["pupils"] == len(pmap.pupils) == 2
    assert trust["total"] == sum(t.cost for t in pmap.pupils)
