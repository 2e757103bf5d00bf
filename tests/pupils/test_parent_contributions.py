"""Parents' views before a review (pupils.contributions): one model for both kinds of review, filled by the
parent, never overwriting what staff write, copied in by the SENCO on request; every write audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from graduated.contributions import copy_parent_views as copy_into_cycle
from graduated.contributions import subject_of as cycle_subject
from pupils.contributions import (
    ANSWER_LIMIT,
    ask_parents_for_views,
    documents_for_parent,
    find_subject,
    open_subjects,
    save_parent_views,
)
from pupils.models import ContributionReport, Document, ParentContribution
from reviews.contributions import copy_parent_views as copy_into_review
from reviews.contributions import subject_of as review_subject
from tests.factories import link_parent
from tests.permission_cases.documents import PDF_BYTES
from tests.permission_cases.graduated import active_cycle
from tests.permission_cases.reviews import make_review
from trusts.models import AuditEntry, Notification, User

pytestmark = pytest.mark.django_db
PARENT = "parent.acorn@oak.test"
SENCO = "senco.acorn@oak.test"
MB = 1024 * 1024


def pdf(name: str = "Speech therapy report.pdf", size: int = 0) -> SimpleUploadedFile:
    body = PDF_BYTES + b"\x00" * max(0, size - len(PDF_BYTES))
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_parent_gives_views_with_a_report_and_the_senco_is_told(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    parent = demo.user(PARENT)
    with scope(trust=demo.oak.pk):
        subject = cycle_subject(cycle)
        assert [s.id for s in open_subjects(cycle.pupil)] == [cycle.pk]
        views = save_parent_views(
            pupil=cycle.pupil,
            subject=subject,
            author=parent,
            answers={"going_well": "  Loves the reading group  ", "questions": "Will the group carry on?"},
            reports=[pdf()],
        )
        assert (views.author, views.author_name, views.relationship) == (parent, parent.full_name, "mother")
        assert views.going_well == "Loves the reading group" and views.difficult == ""
        (report,) = ContributionReport.objects.filter(contribution=views).select_related("document")
        document = report.document
        assert document.category == Document.Category.FROM_PARENT
        assert (document.visibility, document.uploaded_by, document.pupil) == ("staff", parent, cycle.pupil)
        assert list(documents_for_parent(pupil=cycle.pupil, user=parent)) == [document]
        senco_notes = Notification.objects.filter(recipient=demo.user(SENCO), kind="parent_views")
        assert senco_notes.count() == 1
        actions = set(AuditEntry.objects.filter(actor=parent).values_list("action", "object_type"))
    assert {("create", "pupils.ParentContribution"), ("create", "pupils.Document")} <= actions


def test_changing_views_keeps_one_record_until_the_review_is_held(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    parent = demo.user(PARENT)
    with scope(trust=demo.oak.pk):
        subject = cycle_subject(cycle)
        first = save_parent_views(pupil=cycle.pupil, subject=subject, author=parent, answers={"going_well": "a"})
        again = save_parent_views(pupil=cycle.pupil, subject=subject, author=parent, answers={"difficult": "b"})
        assert first.pk == again.pk and (again.going_well, again.difficult) == ("", "b")
        assert ParentContribution.objects.count() == 1
        assert Notification.objects.filter(kind="parent_views").count() == 1  # told once, not on each change
        assert AuditEntry.objects.filter(actor=parent, action="change", object_type="pupils.ParentContribution")
        cycle.status = "reviewed"
        cycle.save()
        closed = find_subject("support_review", cycle.pk)
        assert closed is not None and not closed.open and open_subjects(cycle.pupil) == []
        with pytest.raises(ValidationError, match="can no longer be changed"):
            save_parent_views(pupil=cycle.pupil, subject=closed, author=parent, answers={"going_well": "c"})
        assert ParentContribution.objects.get().difficult == "b"


def test_every_problem_is_named_and_nothing_is_written(demo, settings) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError) as refused:
        save_parent_views(
            pupil=cycle.pupil,
            subject=cycle_subject(cycle),
            author=demo.user(PARENT),
            answers={"going_well": "x" * (ANSWER_LIMIT + 1)},
            reports=[pdf("scan.pdf", size=20 * MB), SimpleUploadedFile("run.pdf", b"MZ\x90\x00program")],
        )
    problems = refused.value.message_dict
    assert f"Keep it to {ANSWER_LIMIT} characters or fewer" in problems["going_well"][0]
    assert any("scan.pdf: The file is 20 MB" in m and "at most 10 MB" in m for m in problems["report"])
    assert any(m.startswith("run.pdf:") for m in problems["report"])
    with scope(trust=demo.oak.pk):
        assert not ParentContribution.objects.exists() and not Document.objects.exists()
    assert stored_files(settings) == []
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError, match="Answer at least one question"):
        save_parent_views(
            pupil=cycle.pupil, subject=cycle_subject(cycle), author=demo.user(PARENT), answers={"hopes": "   "}
        )


def test_a_parent_cannot_write_about_another_child_or_another_review(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    other = active_cycle(demo, demo.beech)  # no link to parent.acorn
    parent = demo.user(PARENT)
    with scope(trust=demo.oak.pk):
        with pytest.raises(PermissionDenied):
            save_parent_views(pupil=other.pupil, subject=cycle_subject(other), author=parent, answers={"hopes": "x"})
        with pytest.raises(PermissionDenied):
            save_parent_views(pupil=cycle.pupil, subject=cycle_subject(other), author=parent, answers={"hopes": "x"})
        with pytest.raises(PermissionDenied):  # staff do not write as parents
            save_parent_views(
                pupil=cycle.pupil, subject=cycle_subject(cycle), author=demo.user(SENCO), answers={"hopes": "x"}
            )
        assert not ParentContribution.objects.exists()


def test_a_report_is_seen_by_its_parent_not_by_the_other_parent(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    dad = User.objects.create_user("dad@home.test", "x", full_name="Sam Lee", trust=demo.oak)
    from trusts.services import add_membership

    add_membership(user=dad, role="parent", school=demo.acorn)
    link_parent(cycle.pupil, dad, relationship="father")
    with scope(trust=demo.oak.pk):
        save_parent_views(
            pupil=cycle.pupil,
            subject=cycle_subject(cycle),
            author=demo.user(PARENT),
            answers={"going_well": "Settled"},
            reports=[pdf()],
        )
        assert documents_for_parent(pupil=cycle.pupil, user=demo.user(PARENT)).count() == 1
        assert documents_for_parent(pupil=cycle.pupil, user=dad).count() == 0


def test_asking_the_parents_notifies_each_one_and_the_email_names_no_child(demo) -> None:
    from trusts.tasks import email_notification

    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        asked = ask_parents_for_views(subject=cycle_subject(cycle), actor=demo.user(SENCO))
    assert asked.parents_told == 1
    with scope(trust=demo.oak.pk):
        (note,) = Notification.objects.filter(recipient=demo.user(PARENT), kind="portal.views")
    assert cycle.pupil.forename in note.text
    assert note.link == f"/family/child/{cycle.pupil_id}/views/support_review/{cycle.pk}/"
    assert email_notification(notification_id=note.pk) == "sent"
    (email,) = [m for m in mail.outbox if m.to == [PARENT]]
    assert cycle.pupil.forename not in email.body + email.subject
    lonely = active_cycle(demo, demo.beech)
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError, match="uses the parent portal yet"):
        ask_parents_for_views(subject=cycle_subject(lonely), actor=demo.user("lead@oak.test"))
    with scope(trust=demo.oak.pk), pytest.raises(PermissionDenied):
        ask_parents_for_views(subject=cycle_subject(cycle), actor=demo.user("teacher.acorn@oak.test"))


def test_copying_adds_the_parents_words_after_the_staffs_and_never_replaces_them(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    review = make_review(demo, demo.acorn, stage="scheduled")
    parent, senco = demo.user(PARENT), demo.user(SENCO)
    with scope(trust=demo.oak.pk):
        cycle.review_parent_views = "Mum said at parents' evening: happier."
        cycle.save()
        views = save_parent_views(
            pupil=cycle.pupil, subject=cycle_subject(cycle), author=parent, answers={"going_well": "Reading more"}
        )
        copy_into_cycle(cycle=cycle, contribution=views, actor=senco)
        copy_into_cycle(cycle=cycle, contribution=views, actor=senco)  # twice: still once
        cycle.refresh_from_db()
        views.refresh_from_db()
        assert cycle.review_parent_views.startswith("Mum said at parents' evening: happier.\n\nFrom ")
        assert cycle.review_parent_views.count("What is going well? Reading more") == 1
        assert parent.full_name in cycle.review_parent_views and views.copied_by == senco
        assert views.going_well == "Reading more"  # the parent's own words are kept as they wrote them

        on_review = save_parent_views(
            pupil=review.pupil, subject=review_subject(review), author=parent, answers={"hopes": "A plan for Y7"}
        )
        with pytest.raises(ValidationError, match="another review"):
            copy_into_cycle(cycle=cycle, contribution=on_review, actor=senco)
        copy_into_review(review=review, contribution=on_review, actor=senco)
        review.refresh_from_db()
        assert "What would you like from the review? A plan for Y7" in review.parent_views
        assert AuditEntry.objects.filter(actor=senco, summary="Parent's views copied into the annual review")
