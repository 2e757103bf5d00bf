"""Permission cases for the annual review pages, and the builders the review tests share.

Only the SENCO, headteacher and inclusion lead of the pupil's school reach them ("review.change"):
teachers, teaching assistants, governors, trustees and parents get 404, and so does everyone of another
school (except the trust's inclusion lead) or another trust.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ehcp import services as ehcp_services
from ehcp.models import EhcPlan
from pupils.models import Pupil
from register.models import RegisterEntry
from reviews import services
from reviews.models import AnnualReview
from tests.factories import pupil_at
from trusts.models import Membership, Role, User

from .base import CASEWORK_ROLES, Case

LEAD_ONLY = {"lead@oak.test"}
OBJECT = {"own": CASEWORK_ROLES, "other_school": LEAD_ONLY}


def casework_user(school: Any) -> User:
    """The school's SENCO (or the trust's inclusion lead) to act in builders."""
    with scopes_disabled():
        m = Membership.objects.filter(school=school, role=Role.SENCO).select_related("user").first() or (
            Membership.objects.filter(trust_id=school.trust_id, role=Role.INCLUSION_LEAD).select_related("user").first()
        )
    assert m is not None
    return m.user


def ehc_pupil(demo: Any, school: Any, **fields: Any) -> Pupil:
    """A pupil of `school` on SEN support with a primary need, ready for an EHC plan."""
    pupil = pupil_at(demo, school, **fields)
    with scopes_disabled():
        RegisterEntry.objects.create(
            trust_id=school.trust_id, school=school, pupil=pupil, status="K", since=date(2023, 9, 1), primary_need="ASD"
        )
    return pupil


def make_plan(
    demo: Any, school: Any, *, issued_on: date | None = None, pupil: Pupil | None = None, **fields: Any
) -> EhcPlan:
    pupil = pupil or ehc_pupil(demo, school, **fields)
    with scope(trust=school.trust_id):
        return ehcp_services.issue_plan(
            pupil=pupil,
            issued_on=issued_on or timezone.localdate() - timedelta(days=300),
            local_authority=school.local_authority,
            placement=school.name,
            actor=casework_user(school),
        )


def make_review(demo: Any, school: Any, *, stage: str = "planning", **fields: Any) -> AnnualReview:
    """A review at a stage: "planning", "scheduled" (meeting in 3 weeks), "held" (meeting 5 days ago) or
    "report_sent" (report sent yesterday)."""
    plan = make_plan(demo, school, **fields)
    actor = casework_user(school)
    today = timezone.localdate()
    with scope(trust=school.trust_id):
        review = services.start_review(plan=plan, actor=actor)
        if stage == "scheduled":
            review = services.schedule_meeting(review=review, meeting_date=today + timedelta(weeks=3), actor=actor)
        elif stage in {"held", "report_sent"}:
            held = today - timedelta(days=5)
            review = services.schedule_meeting(review=review, meeting_date=held, actor=actor)
            review = services.record_meeting(
                review=review,
                held_on=held,
                record=services.MeetingRecord(progress_on_outcomes="Good progress", recommendation="keep"),
                actions=[
                    services.ActionInput("Review the visual timetable", "Class teacher", today + timedelta(days=30))
                ],
                actor=actor,
            )
            if stage == "report_sent":
                review = services.record_report_sent(review=review, sent_on=today - timedelta(days=1), actor=actor)
    return review


def _pk(stage: str = "planning") -> Any:
    return lambda demo, school: {"pk": make_review(demo, school, stage=stage).pk}


def _invitee(demo: Any, school: Any) -> dict[str, Any]:
    review = make_review(demo, school)
    with scopes_disabled():
        return {"pk": review.pk, "invitee_id": review.invitees.order_by("id").first().pk}  # type: ignore[union-attr]


CASES: list[Case] = [
    Case("reviews:list", own=CASEWORK_ROLES),
    Case("reviews:start", kwargs=lambda demo, school: {"plan_id": make_plan(demo, school).pk}, **OBJECT),
    Case("reviews:detail", kwargs=_pk(), **OBJECT),
    Case("reviews:schedule", kwargs=_pk(), **OBJECT),
    Case("reviews:invitee_add", kwargs=_pk(), **OBJECT),
    Case("reviews:invitee_remove", kwargs=_invitee, method="post", ok=(302,), **OBJECT),
    Case("reviews:invitee_advice", kwargs=_invitee, **OBJECT),
    Case("reviews:invitations", kwargs=_pk("scheduled"), **OBJECT),
    Case("reviews:circulate", kwargs=_pk("scheduled"), **OBJECT),
    Case("reviews:meeting_record", kwargs=_pk("scheduled"), **OBJECT),
    Case("reviews:report_sent", kwargs=_pk("held"), **OBJECT),
    Case("reviews:la_decision", kwargs=_pk("report_sent"), **OBJECT),
    Case("reviews:amendments", kwargs=_pk("report_sent"), **OBJECT),
    Case("reviews:cancel", kwargs=_pk(), **OBJECT),
    Case("reviews:pdf", kwargs=_pk("held"), **OBJECT),
]
