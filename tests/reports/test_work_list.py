"""The home page is a work list: each role sees what to do next, most consequential first, each line a link to
the action, and only their own school's work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from graduated import services as graduated_services
from graduated.models import Cycle
from reports.worklist import LINES
from tests.permission_cases.concerns import make_concern
from tests.permission_cases.graduated import active_cycle
from tests.permission_cases.reviews import make_plan

pytestmark = pytest.mark.django_db


def _work(client) -> dict[str, list]:
    """{group title: its lines} of the home page's work list, groups in the order shown."""
    work = client.get("/").context["work"]
    return {group.title: group.lines for group in work.waiting}


def test_the_senco_sees_overdue_deadlines_first_then_concerns_then_support_plans(demo) -> None:
    today = timezone.localdate()
    plan = make_plan(demo, demo.acorn, issued_on=today - timedelta(days=400), legal_forename="Ola")
    concern = make_concern(demo, demo.acorn)
    cycle = active_cycle(demo, demo.acorn, review_in_days=3, legal_forename="Ben")
    make_concern(demo, demo.beech)  # another school: not the Acorn SENCO's work

    work = _work(demo.client_for("senco.acorn@oak.test"))
    titles = list(work)
    assert titles.index("Statutory deadlines overdue") < titles.index("Concerns waiting for triage")
    assert titles.index("Concerns waiting for triage") < titles.index("Support plans to review")

    overdue = work["Statutory deadlines overdue"]
    r1 = next(line for line in overdue if line.what.startswith("R1 "))
    assert r1.urgency == "late" and r1.when.startswith("Overdue by ")
    assert r1.who.startswith(plan.pupil.display_name)
    assert "the local authority acts: chase them" in r1.who
    assert [line.url for line in work["Concerns waiting for triage"]] == [
        reverse("register:concern_detail", args=[concern.pk])
    ]
    support = work["Support plans to review"]
    assert [line.url for line in support] == [reverse("graduated:review", args=[cycle.pk])]
    assert support[0].when == f"Due {cycle.review_date:%a} {cycle.review_date.day} {cycle.review_date:%b}"


def test_each_group_shows_a_few_lines_and_says_how_many_more(demo) -> None:
    for _ in range(LINES + 2):
        make_concern(demo, demo.acorn)
    response = demo.client_for("senco.acorn@oak.test").get("/")
    group = next(g for g in response.context["work"].waiting if g.title == "Concerns waiting for triage")
    assert len(group.lines) == LINES and group.total == LINES + 2 and group.more == 2
    page = response.content.decode()
    assert "2 more. See every concern" in page


def test_a_quiet_day_says_nothing_is_waiting(demo) -> None:
    page = demo.client_for("senco.acorn@oak.test").get("/").content.decode()
    assert "Nothing is waiting for you" in page
    assert "No statutory deadline is overdue." in page


def test_the_headteacher_and_the_lead_get_the_work_list_for_their_schools(demo) -> None:
    make_concern(demo, demo.acorn)
    make_concern(demo, demo.beech)
    head = _work(demo.client_for("head.acorn@oak.test"))
    assert len(head["Concerns waiting for triage"]) == 1
    lead = _work(demo.client_for("lead@oak.test"))
    lines = lead["Concerns waiting for triage"]
    # The lead works across schools: each line names the school.
    assert len(lines) == 2 and {line.who.split(", ")[-1] for line in lines} == {demo.acorn.name, demo.beech.name}


def test_the_ta_sees_sessions_to_log_today_until_they_are_logged(demo) -> None:
    cycles = [active_cycle(demo, demo.acorn, legal_surname=f"Group{i}") for i in range(3)]
    ta = demo.client_for("ta.acorn@oak.test")
    lines = _work(ta)["Sessions to log today"]
    assert len(lines) == 1
    line = lines[0]
    with scope(trust=demo.oak.pk):
        provision = Cycle.objects.get(pk=cycles[0].pk).allocations.get().provision
    assert line.what == f"Log {provision.name}" and line.who == "A group of 3 pupils"
    assert line.url == reverse("graduated:log_group_session", args=[provision.pk])
    assert line.when == "0 of 3 this week"
    page = ta.get("/").content.decode()
    assert reverse("graduated:sessions") in page  # the "Log a session" button, not behind the phone's menu

    with scope(trust=demo.oak.pk):
        for cycle in cycles:
            allocation = Cycle.objects.get(pk=cycle.pk).allocations.get()
            graduated_services.log_delivery(
                allocation=allocation,
                actor=demo.user("ta.acorn@oak.test"),
                session_date=timezone.localdate(),
                attended=True,
            )
    assert "Sessions to log today" not in _work(ta)


def test_the_teacher_sees_their_pupils_and_their_open_concerns_only(demo) -> None:
    from tests.factories import make_pupil
    from tests.permission_cases.graduated import support_pupil

    mine = make_concern(demo, demo.acorn, raised_by="teacher.acorn@oak.test")
    make_concern(demo, demo.acorn, raised_by="senco.acorn@oak.test")
    on_register = support_pupil(demo, demo.acorn, legal_forename="Zara")  # in the teacher's group 4B
    make_pupil(demo.acorn, legal_forename="Noor")  # at the school, not in the teacher's groups
    client = demo.client_for("teacher.acorn@oak.test")
    work = _work(client)
    assert [line.url for line in work["My concerns still open"]] == [reverse("register:concern_detail", args=[mine.pk])]
    assert "Concerns waiting for triage" not in work
    response = client.get("/")
    assert [p.pk for p in response.context["my_pupils_on_register"]] == [on_register.pk]
    page = response.content.decode()
    assert reverse("pupils:record", args=[on_register.pk]) in page and "Noor" not in page


def test_no_work_list_for_governors_trustees_or_parents(demo) -> None:
    make_concern(demo, demo.acorn)
    for email in ("governor.acorn@oak.test", "trustee@oak.test", "parent.acorn@oak.test"):
        response = demo.client_for(email).get("/")
        assert "work" not in response.context, email
        assert "Triage the concern" not in response.content.decode(), email


@pytest.mark.parametrize("email", ["senco.acorn@oak.test", "lead@oak.test", "ta.acorn@oak.test"])
def test_the_work_list_costs_the_same_queries_however_much_work_there_is(demo, email) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_work(n: int) -> None:
        today = timezone.localdate()
        for i in range(n):
            make_plan(demo, demo.acorn, issued_on=today - timedelta(days=400 + i))
            make_concern(demo, demo.acorn)
            active_cycle(demo, demo.acorn, review_in_days=-i)

    def queries(client) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    client = demo.client_for(email)
    add_work(1)
    queries(client)  # warm the session
    small = queries(client)
    add_work(LINES + 2)
    assert queries(client) == small
