"""Moves within a trust: the pupil's whole casework follows them to the new school, in one transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ehcp import deadlines as engine
from ehcp.models import Deadline, EhcPlan
from ehcp.sweep import sweep_trust
from graduated.models import Allocation, Cycle
from pupils.importing import import_pupils
from pupils.models import AccessGrant, Document, Pupil
from pupils.moves import PUPIL_MOVED_HOOKS, moves_of, preview_move, record_move
from pupils.queries import granted_pupil_ids
from register.models import RegisterEntry
from reviews import services as review_services
from reviews.models import AnnualReview
from tests.permission_cases.documents import make_document, make_external_user, make_grant
from tests.permission_cases.graduated import active_cycle
from tests.permission_cases.reviews import make_plan
from trusts.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


class Casework:
    """A pupil at Acorn on SEN support with an open cycle and its provision, an EHC plan, an annual review under
    way, open deadlines (one due in a few days), an open C1, a document, a cover teacher's and an external
    professional's grant."""

    def __init__(self, demo: Any) -> None:
        self.cycle = active_cycle(demo, demo.acorn)
        self.pupil = self.cycle.pupil
        self.plan = make_plan(demo, demo.acorn, pupil=self.pupil)
        senco = demo.user("senco.acorn@oak.test")
        with scope(trust=demo.oak.pk):
            self.review = review_services.start_review(plan=self.plan, actor=senco)
            # The school answers the LA's consultation within 15 days (A5): due in a few days.
            self.soon = engine.open_deadline(
                rule_id="A5",
                trigger_date=TODAY - timedelta(days=5),
                school=demo.acorn,
                pupil=self.pupil,
                subject_type="needs_assessment",
                subject_id=90_000_000 + self.pupil.pk,
                actor=None,
            )
            self.c1 = engine.open_deadline(
                rule_id="C1",
                trigger_date=TODAY - timedelta(days=2),
                school=demo.acorn,
                pupil=self.pupil,
                subject_type="pupil",
                subject_id=self.pupil.pk,
                actor=None,
            )
        self.document = make_document(self.pupil)
        self.cover = make_grant(self.pupil, make_external_user(demo.oak), kind=AccessGrant.Kind.COVER_TEACHER)
        self.external = make_grant(self.pupil, make_external_user(demo.oak))


def _schools(casework: Casework) -> dict[str, set[int]]:
    p = casework.pupil
    with scopes_disabled():
        return {
            "pupil": {Pupil.objects.get(pk=p.pk).school_id},
            "register": set(RegisterEntry.objects.filter(pupil=p).values_list("school_id", flat=True)),
            "cycles": set(Cycle.objects.filter(pupil=p).values_list("school_id", flat=True)),
            "plans": set(EhcPlan.objects.filter(pupil=p).values_list("school_id", flat=True)),
            "reviews": set(AnnualReview.objects.filter(pupil=p).values_list("school_id", flat=True)),
            "deadlines": set(Deadline.objects.filter(pupil=p).values_list("school_id", flat=True)),
            "documents": set(Document.objects.filter(pupil=p).values_list("school_id", flat=True)),
        }


def _pages(casework: Casework) -> list[str]:
    with scopes_disabled():
        open_deadlines = list(Deadline.objects.filter(pupil=casework.pupil, status="open").values_list("pk", flat=True))
    p = casework.pupil.pk
    return [
        reverse("pupils:record", kwargs={"pk": p}),
        reverse("ehcp:plan_detail", kwargs={"pk": casework.plan.pk}),
        reverse("ehcp:plan_amend", kwargs={"pk": casework.plan.pk}),
        reverse("reviews:detail", kwargs={"pk": casework.review.pk}),
        reverse("reviews:schedule", kwargs={"pk": casework.review.pk}),
        reverse("graduated:cycle", kwargs={"pk": casework.cycle.pk}),
        reverse("pupils:document_download", kwargs={"pupil_id": p, "pk": casework.document.pk}),
        reverse("pupils:access_grants", kwargs={"pupil_id": p}),
        *(reverse("ehcp:deadline_detail", kwargs={"pk": pk}) for pk in open_deadlines),
    ]


def test_the_whole_casework_moves_and_only_the_new_school_works_on_it(demo) -> None:
    casework = Casework(demo)
    pages = _pages(casework)
    acorn, beech = demo.acorn.pk, demo.beech.pk
    assert set().union(*_schools(casework).values()) == {acorn}
    with scope(trust=demo.oak.pk):
        result = record_move(
            pupil=casework.pupil, to_school=demo.beech, moved_on=TODAY, actor=demo.user("senco.acorn@oak.test")
        )
    assert all(schools == {beech} for schools in _schools(casework).values()), _schools(casework)
    text = " ".join(result.lines)
    assert "Provision to plan again at Beech Academy" in text and "Phonics catch-up group" in text
    assert "C1 (records to the new school) met" in text
    with scopes_disabled():
        # Beech has no provision of that name: the allocation ends at the move (Acorn's provision, counted nowhere).
        assert Allocation.objects.get(cycle=casework.cycle).school_id == acorn
        casework.c1.refresh_from_db()
        assert (casework.c1.status, casework.c1.met_on) == ("met", TODAY)
        casework.cover.refresh_from_db()
        assert casework.cover.revoked_at is not None
        assert not granted_pupil_ids(casework.cover.user).exists()
        assert granted_pupil_ids(casework.external.user).filter(pupil_id=casework.pupil.pk).exists()
        told = set(Notification.objects.filter(kind="pupil.moved").values_list("recipient__email", flat=True))
        assert told == {"senco.beech@oak.test"}
        assert AuditEntry.objects.filter(pupil_id=casework.pupil.pk, summary__contains="to Beech Academy").exists()

    new, old, river = (demo.client_for(e) for e in ("senco.beech@oak.test", "senco.acorn@oak.test", "lead@river.test"))
    for url in pages:
        assert new.get(url).status_code == 200, url
        assert old.get(url).status_code == 404, url
        assert river.get(url).status_code == 404, url
    record = new.get(pages[0]).content.decode()
    assert "Moved school within the trust, from Acorn Primary to Beech Academy." in record

    # Reminders go to the school now responsible: the sweep reminds Beech's SENCO, never Acorn's.
    with scope(trust=demo.oak.pk):
        sweep_trust(trust_id=demo.oak.pk, today=TODAY)
    with scopes_disabled():
        reminded = set(
            Notification.objects.filter(
                kind="deadline_reminder", dedupe_key__startswith=f"deadline:{casework.soon.pk}:"
            ).values_list("recipient__email", flat=True)
        )
    assert "senco.beech@oak.test" in reminded and "senco.acorn@oak.test" not in reminded


def test_a_provision_of_the_same_name_at_the_new_school_carries_on(demo) -> None:
    from tests.permission_cases.graduated import provision

    cycle = active_cycle(demo, demo.acorn)
    same = provision(demo.beech)  # "Phonics catch-up group" in Beech's catalogue too
    with scope(trust=demo.oak.pk):
        result = record_move(pupil=cycle.pupil, to_school=demo.beech, moved_on=TODAY, actor=None)
    assert "Provision carried on at Beech Academy (same name in its catalogue): Phonics catch-up group." in result.lines
    with scopes_disabled():
        allocation = Allocation.objects.get(cycle=cycle)
    assert (allocation.provision_id, allocation.school_id) == (same.pk, demo.beech.pk)


def test_a_failing_hook_leaves_nothing_moved(demo) -> None:
    casework = Casework(demo)

    def broken(**kwargs: Any) -> list[str]:
        raise RuntimeError("the reviews database is down")

    PUPIL_MOVED_HOOKS.append(broken)
    try:
        with scope(trust=demo.oak.pk), pytest.raises(RuntimeError):
            record_move(pupil=casework.pupil, to_school=demo.beech, moved_on=TODAY, actor=None)
    finally:
        PUPIL_MOVED_HOOKS.remove(broken)
    assert set().union(*_schools(casework).values()) == {demo.acorn.pk}
    with scopes_disabled():
        casework.cover.refresh_from_db()
        casework.c1.refresh_from_db()
        assert casework.cover.revoked_at is None and casework.c1.status == "open"
        assert not Notification.objects.filter(kind="pupil.moved").exists()


def test_the_preview_lists_what_moves_and_writes_nothing(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        result = preview_move(pupil=cycle.pupil, to_school=demo.beech, moved_on=TODAY, actor=None)
        assert "1 support cycle (1 open)." in result.lines
        assert Pupil.objects.get(pk=cycle.pupil.pk).school_id == demo.acorn.pk
        assert not moves_of(cycle.pupil)


@pytest.mark.parametrize(
    ("school", "moved_on", "message"),
    [
        ("acorn", TODAY, "is already at Acorn Primary"),
        ("willow", TODAY, "Choose a school of the trust"),
        ("beech", TODAY + timedelta(days=1), "cannot be in the future"),
    ],
)
def test_a_bad_move_says_what_is_wrong(demo, school: str, moved_on: Any, message: str) -> None:
    pupil = active_cycle(demo, demo.acorn).pupil if school == "acorn" else None
    from tests.factories import make_pupil

    pupil = pupil or make_pupil(demo.acorn)
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError) as exc:
        record_move(pupil=pupil, to_school=demo.schools[school], moved_on=moved_on, actor=None)
    assert message in " ".join(exc.value.messages)


def test_the_mis_import_moves_the_casework_through_the_move(demo) -> None:
    plan = make_plan(demo, demo.acorn)
    pupil = plan.pupil
    header = "UPN,Legal Surname,Legal Forename,DOB,Gender,Year,Admission Date"
    row = f"{pupil.upn},{pupil.legal_surname},{pupil.legal_forename},14/03/2017,F,Year 4,{TODAY:%d/%m/%Y}"
    with scope(trust=demo.oak.pk):
        result = import_pupils(school=demo.beech, content=f"{header}\r\n{row}\r\n".encode(), actor=None)
    assert len(result.moved) == 1
    with scopes_disabled():
        plan.refresh_from_db()
        assert plan.school_id == demo.beech.pk
        assert set(Deadline.objects.filter(pupil=pupil).values_list("school_id", flat=True)) == {demo.beech.pk}
        assert Pupil.objects.get(pk=pupil.pk).admission_date == TODAY
        assert AuditEntry.objects.filter(
            pupil_id=pupil.pk, summary__startswith="Moved school within the trust (MIS"
        ).exists()


def test_the_move_pages_check_then_move(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    url = reverse("pupils:move", kwargs={"pupil_id": cycle.pupil_id})
    senco = demo.client_for("senco.acorn@oak.test")
    assert (
        "Record a move to another school of the trust"
        in senco.get(reverse("pupils:record", kwargs={"pk": cycle.pupil_id})).content.decode()
    )
    form = {"to_school": demo.beech.pk, "moved_on": TODAY.isoformat()}
    bad = senco.post(url, {"to_school": demo.willow.pk, "moved_on": ""})
    assert "Choose one of the trust&#x27;s other open schools." in bad.content.decode()
    assert "Enter the date of the move." in bad.content.decode()
    check = senco.post(url, form)
    assert check.status_code == 200 and "1 support cycle (1 open)." in check.content.decode()
    with scopes_disabled():
        assert Pupil.objects.get(pk=cycle.pupil_id).school_id == demo.acorn.pk
    done = senco.post(url, {**form, "confirm": "yes"})
    assert "Move recorded" in done.content.decode() and "You no longer see" in done.content.decode()
    with scopes_disabled():
        assert Pupil.objects.get(pk=cycle.pupil_id).school_id == demo.beech.pk
    assert demo.client_for("teacher.acorn@oak.test").get(url).status_code == 404


def test_a_teacher_at_the_old_school_no_longer_sees_the_concern_they_raised(demo) -> None:
    """The concern moves with the pupil; the old school's teacher who raised it loses sight of it too."""
    from register.models import CauseForConcern
    from tests.permission_cases.concerns import make_concern

    concern = make_concern(demo, demo.acorn)
    teacher = concern.raised_by
    client = demo.client_for(teacher.email)
    detail = reverse("register:concern_detail", kwargs={"pk": concern.pk})
    assert client.get(detail).status_code == 200
    with scope(trust=demo.oak.pk):
        record_move(pupil=concern.pupil, to_school=demo.beech, moved_on=TODAY, actor=None)
    with scopes_disabled():
        assert CauseForConcern.objects.get(pk=concern.pk).school_id == demo.beech.pk
    assert client.get(detail).status_code == 404
    assert concern.pupil.legal_surname not in client.get(reverse("register:my_concerns")).content.decode()
