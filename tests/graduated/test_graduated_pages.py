"""The graduated pages through the test client: the whole cycle, clear errors, charts, lists and query counts."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from graduated import services
from graduated.models import Cycle, DeliveryLog, Provision, StaffRate
from graduated.views.common import ehc_request_url
from register.models import RegisterEntry
from tests.permission_cases.graduated import active_cycle, assessing_cycle, casework_user, provision, support_pupil

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
ISO = "%Y-%m-%d"


def test_senco_runs_a_whole_cycle_and_the_ta_logs_a_session(demo) -> None:
    pupil = support_pupil(demo, demo.acorn, legal_forename="Jade", legal_surname="Lowe")
    phonics = provision(demo.acorn)
    senco = demo.client_for("senco.acorn@oak.test")

    response = senco.post(reverse("graduated:cycle_start", args=[pupil.pk]), {"started_on": TODAY.strftime(ISO)})
    with scope(trust=demo.oak.pk):
        cycle = Cycle.objects.get(pupil=pupil)
    assert response.status_code == 302 and response["Location"] == reverse("graduated:cycle", args=[cycle.pk])

    assert (
        senco.post(
            reverse("graduated:assess", args=[cycle.pk]),
            {
                "assess_notes": "Weak phonics",
                "liked_admired": "Kind",
                "important_to_me": "Dogs",
                "how_to_support": "Be calm",
            },
        ).status_code
        == 302
    )
    outcome = {
        "description": "Blend CVC words",
        "baseline": "5 of 20",
        "baseline_score": "5",
        "target": "15 of 20",
        "target_score": "15",
        "measured_by": "Weekly check",
        "share_with_parents": "on",
    }
    assert senco.post(reverse("graduated:outcome_new", args=[cycle.pk]), outcome).status_code == 302
    assert (
        senco.post(reverse("graduated:strategy_new", args=[cycle.pk]), {"text": "Sit near the front"}).status_code
        == 302
    )
    add = senco.post(reverse("graduated:allocation_new", args=[cycle.pk]), {"provision": phonics.pk})
    assert add.status_code == 302
    review_on = TODAY + timedelta(days=40)
    plan = senco.post(
        reverse("graduated:plan", args=[cycle.pk]),
        {"expected_impact": "Blends confidently", "review_date": review_on.strftime(ISO)},
    )
    assert plan.status_code == 302

    ta = demo.client_for("ta.acorn@oak.test")
    assert "Jade Lowe" in ta.get(reverse("graduated:sessions")).content.decode()
    with scope(trust=demo.oak.pk):
        allocation = cycle.allocations.get()
    logged = ta.post(
        reverse("graduated:log_session", args=[pupil.pk]),
        {
            "allocation": allocation.pk,
            "session_date": TODAY.strftime(ISO),
            "attended": "yes",
            "note": "Great",
            "score": "9",
        },
    )
    assert logged.status_code == 302
    with scope(trust=demo.oak.pk):
        log = DeliveryLog.objects.get()
    assert (log.score, log.logged_by.email, log.outcome.description) == (
        Decimal(9),
        "ta.acorn@oak.test",
        "Blend CVC words",
    )

    page = senco.get(reverse("graduated:cycle", args=[cycle.pk])).content.decode()
    assert "Blend CVC words" in page and "Sit near the front" in page and "Phonics catch-up group" in page

    with scope(trust=demo.oak.pk):
        outcome_id = cycle.outcomes.get().pk
    reviewed = senco.post(
        reverse("graduated:review", args=[cycle.pk]),
        {
            f"result_{outcome_id}": "achieved",
            f"evidence_{outcome_id}": "15 of 20 at the last check",
            "reviewed_on": TODAY.strftime(ISO),
            "next_step": "leave",
            "parents_told_on": TODAY.strftime(ISO),
        },
    )
    assert reviewed.status_code == 302
    with scope(trust=demo.oak.pk):
        assert RegisterEntry.objects.get(pupil=pupil).status == "N"
        assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.REVIEWED


def test_review_form_asks_for_the_date_parents_were_told(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        outcome_id = cycle.outcomes.get().pk
    response = demo.client_for("senco.acorn@oak.test").post(
        reverse("graduated:review", args=[cycle.pk]),
        {
            f"result_{outcome_id}": "achieved",
            f"evidence_{outcome_id}": "Met",
            "reviewed_on": TODAY.strftime(ISO),
            "next_step": "monitoring",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the date parents were told that SEN support is ending" in page
    assert "govuk-error-summary" in page


def test_review_with_a_new_cycle_opens_the_new_cycle(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        outcome_id = cycle.outcomes.get().pk
    response = demo.client_for("senco.acorn@oak.test").post(
        reverse("graduated:review", args=[cycle.pk]),
        {
            f"result_{outcome_id}": "partly",
            f"evidence_{outcome_id}": "60 of 100",
            "reviewed_on": TODAY.strftime(ISO),
            "next_step": "new_cycle",
        },
    )
    with scope(trust=demo.oak.pk):
        new = Cycle.objects.get(pupil=cycle.pupil, number=2)
    assert response["Location"] == reverse("graduated:cycle", args=[new.pk])


def test_an_ehc_request_decision_links_to_the_ehc_section_when_there_is_one(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        services.record_review(
            cycle=cycle,
            actor=casework_user(demo.acorn),
            results={o.pk: ("not", "No change") for o in cycle.outcomes.all()},
            reviewed_on=TODAY,
            next_step="ehc_request",
        )
    page = demo.client_for("senco.acorn@oak.test").get(reverse("graduated:cycle", args=[cycle.pk])).content.decode()
    assert "decided to request an EHC needs assessment" in page
    url = ehc_request_url(cycle.pupil)
    assert (f'href="{url}"' in page) if url else ("record it in the EHC section" in page)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"allocation": "", "session_date": "", "attended": ""}, "Choose the provision this session was"),
        ({"session_date": "2025-02-30"}, "Enter the date of the session as a real date"),
        ({"score": "lots"}, "Enter the score as a number"),
        ({"attended": "no", "score": "4"}, "only be recorded for a session the pupil attended"),
        ({"allocation": "999999"}, "Choose a provision"),
    ],
)
def test_the_session_form_explains_each_mistake_and_saves_nothing(demo, data, message) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        allocation = cycle.allocations.get()
    payload = {"allocation": allocation.pk, "session_date": TODAY.strftime(ISO), "attended": "yes"} | data
    response = demo.client_for("ta.acorn@oak.test").post(
        reverse("graduated:log_session", args=[cycle.pupil_id]), payload
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    with scope(trust=demo.oak.pk):
        assert not DeliveryLog.objects.exists()


def test_a_provision_of_another_school_cannot_be_chosen(demo) -> None:
    cycle = assessing_cycle(demo, demo.acorn)
    beech = provision(demo.beech, "Beech only")
    response = demo.client_for("lead@oak.test").post(
        reverse("graduated:allocation_new", args=[cycle.pk]), {"provision": beech.pk}
    )
    assert response.status_code == 200
    assert "Choose a provision from the catalogue" in response.content.decode()


def test_the_cycle_page_charts_each_outcomes_scores_with_a_title_description_and_table(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    senco_user = casework_user(demo.acorn)
    with scope(trust=demo.oak.pk):
        allocation = cycle.allocations.get()
        for days, score in ((10, 48), (3, 61)):
            services.log_delivery(
                allocation=allocation,
                actor=senco_user,
                session_date=TODAY - timedelta(days=days),
                attended=True,
                score=Decimal(score),
            )
    page = demo.client_for("teacher.acorn@oak.test").get(reverse("graduated:cycle", args=[cycle.pk])).content.decode()
    svg = re.search(r"<svg.*?</svg>", page, re.S)
    assert svg is not None
    chart = svg.group(0)
    assert "<title" in chart and "Progress on outcome 1" in chart
    assert "<desc" in chart and "the latest is 61" in chart and "the target is 80" in chart
    assert "stroke-dasharray" in chart  # the target line
    assert "style=" not in page and "<script>" not in page
    assert "Scores for outcome 1" in page and ">48<" in page and ">61<" in page and "(baseline)" in page


def test_teachers_read_the_plan_but_see_no_edit_links(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    page = demo.client_for("teacher.acorn@oak.test").get(reverse("graduated:cycle", args=[cycle.pk])).content.decode()
    assert "Give instructions one step at a time" in page
    assert reverse("graduated:outcome_new", args=[cycle.pk]) not in page
    assert reverse("graduated:review", args=[cycle.pk]) not in page
    assert reverse("graduated:log_session", args=[cycle.pupil_id]) in page


def test_the_passport_shows_the_profile_strategies_and_provision(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    page = (
        demo.client_for("ta.acorn@oak.test").get(reverse("graduated:passport", args=[cycle.pupil_id])).content.decode()
    )
    assert "Pupil passport" in page
    assert "Give instructions one step at a time" in page
    assert "Phonics catch-up group: 3 times a week, 20 minutes each" in page


def test_the_overview_lists_reviews_and_meetings_due(demo) -> None:
    active_cycle(demo, demo.acorn, review_in_days=-2, legal_surname="Overduepupil")
    active_cycle(demo, demo.acorn, review_in_days=5, legal_surname="Duepupil")
    support_pupil(demo, demo.acorn, legal_surname="Nocyclepupil")
    page = demo.client_for("senco.acorn@oak.test").get(reverse("graduated:overview")).content.decode()
    overdue = page.index("Reviews overdue</h2>")
    due = page.index("Reviews due in the next 14 days</h2>")
    meetings = page.index("Parents to meet</h2>")
    assert overdue < page.index("Overduepupil") < due < page.index("Duepupil") < meetings
    assert "No open cycle" in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_keep_a_constant_number_of_queries(demo) -> None:
    senco = demo.client_for("senco.acorn@oak.test")
    cycle = active_cycle(demo, demo.acorn)
    actor = casework_user(demo.acorn)

    def pages() -> list[int]:
        return [
            _queries(senco, reverse("graduated:overview")),
            _queries(senco, reverse("graduated:cycle", args=[cycle.pk])),
            _queries(senco, reverse("graduated:pupil", args=[cycle.pupil_id])),
            _queries(senco, reverse("graduated:sessions")),
            _queries(senco, reverse("graduated:catalogue")),
        ]

    small = pages()
    with scope(trust=demo.oak.pk):
        for _ in range(3):
            services.add_outcome(cycle=cycle, actor=actor, description="d", baseline="b", target="t", measured_by="m")
            services.add_strategy(cycle=cycle, actor=actor, text="s")
            services.log_delivery(allocation=cycle.allocations.get(), actor=actor, session_date=TODAY, attended=True)
            services.record_parent_meeting(pupil=cycle.pupil, actor=actor, held_on=TODAY, attendees="Mum", notes="n")
    for _ in range(12):
        active_cycle(demo, demo.acorn, review_in_days=-1)
    for n in range(3):
        provision(demo.acorn, f"Extra provision {n}")
    assert pages() == small


def test_catalogue_form_gives_specific_errors_and_rates_save(demo) -> None:
    client = demo.client_for("senco.acorn@oak.test")
    response = client.post(
        reverse("graduated:provision_new"),
        {
            "name": "Lego therapy",
            "wave": "2",
            "area": "communication",
            "staff_role": "ta",
            "group_size": "0",
            "sessions_per_week": "1.25",
            "minutes_per_session": "abc",
            "start_date": "2025-09-01",
            "end_date": "2025-08-01",
        },
    )
    page = response.content.decode()
    assert "The group size must be at least 1" in page
    assert "at most one decimal place" in page
    assert "Enter the minutes as a whole number" in page
    assert "The end date must be on or after the start date" in page
    with scope(trust=demo.oak.pk):
        assert not Provision.objects.filter(name="Lego therapy").exists()
    saved = client.post(reverse("graduated:rates"), {"ta": "18.50", "hlta": "22", "teacher": "", "specialist": "60"})
    assert saved.status_code == 302
    with scope(trust=demo.oak.pk):
        assert dict(StaffRate.objects.filter(school=demo.acorn).values_list("role", "hourly_rate")) == {
            "ta": Decimal("18.50"),
            "hlta": Decimal("22.00"),
            "specialist": Decimal("60.00"),
        }


def test_a_duplicate_provision_name_is_explained(demo) -> None:
    provision(demo.acorn, "Phonics catch-up group")
    response = demo.client_for("senco.acorn@oak.test").post(
        reverse("graduated:provision_new"),
        {
            "name": "Phonics catch-up group",
            "wave": "2",
            "area": "cognition",
            "staff_role": "ta",
            "group_size": "4",
            "sessions_per_week": "3",
            "minutes_per_session": "20",
            "start_date": "2025-09-01",
        },
    )
    assert "already has a provision called Phonics catch-up group" in response.content.decode()


def test_removing_a_logged_provision_is_refused_with_a_message(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        allocation = cycle.allocations.get()
        services.log_delivery(allocation=allocation, actor=casework_user(demo.acorn), session_date=TODAY, attended=True)
    client = demo.client_for("senco.acorn@oak.test")
    response = client.post(reverse("graduated:item_remove", args=[cycle.pk, "provision", allocation.pk]), follow=True)
    assert "have been logged, so it stays on the plan" in response.content.decode()
    assert client.post(reverse("graduated:item_remove", args=[cycle.pk, "nonsense", 1])).status_code == 404


def test_the_cycle_page_shows_the_plans_writers_what_to_word_again_beside_each_outcome(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)  # "Read the first 100 high-frequency words", 40 to 80 of 100: no points
    with scope(trust=demo.oak.pk):
        services.add_outcome(
            cycle=cycle,
            actor=casework_user(demo.acorn),
            description="Will be supported with his reading",
            baseline="Finds reading hard",
            target="Better reading",
            measured_by="Teacher judgement",
        )
    url = reverse("graduated:cycle", args=[cycle.pk])
    page = demo.client_for("senco.acorn@oak.test").get(url).content.decode()
    assert page.count("Wording to look at again") == 1  # the vague outcome only
    vague = page[page.index("Outcome 2: Will be supported with his reading") :]
    assert "This outcome has no measure" in vague and "SEND Code of Practice 2015, para 9.66" in vague
    assert "“be supported”" in vague or "“will be supported”" in vague.lower()
    assert "no timescale" not in page  # the cycle's review date is the timescale of a support plan's outcomes
    # Teachers read the plan; the wording points are for the people who write it.
    assert "Wording to look at again" not in demo.client_for("teacher.acorn@oak.test").get(url).content.decode()
