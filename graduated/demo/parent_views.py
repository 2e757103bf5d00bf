"""Demo data for parents' views before a review: parent.acorn@oak.test has two children at Acorn with a
support plan in place; the school has asked for views before one child's review, and the parent has already
given them (with a report of their own) for the other, so `make run` shows both sides.

Runs after `seed_graduated` with the tenant scope disabled; idempotent.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from pupils.contributions import ask_parents_for_views, save_parent_views
from pupils.models import Contact, ParentContribution, ViewsRequest

from ..contributions import KIND, subject_of
from ..models import Cycle

PARENT = "parent.acorn@oak.test"
# A one-page PDF, enough to be recognised as a PDF by the upload checks.
REPORT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
VIEWS = {
    "going_well": "Loves the reading group, and reads to their sister at bedtime.",
    "difficult": "Homework takes a long time and ends in tears most evenings.",
    "changes": "We started private speech therapy in the autumn. The report is attached.",
    "hopes": "More help with writing, and a way to take short breaks in class.",
    "questions": "Will the reading group carry on next term?",
}


@transaction.atomic
def seed_parent_views(objects: dict[str, Any]) -> str:
    users, acorn = objects["users"], objects["schools"]["acorn"]
    parent, senco = users.get(PARENT), users.get("senco.acorn@oak.test")
    if parent is None or senco is None:
        return ""
    active = list(
        Cycle.objects.filter(school=acorn, status=Cycle.Status.ACTIVE, pupil__leaving_date=None)
        .select_related("pupil", "school")
        .order_by("pupil__legal_surname", "pk")
    )
    # In the order the children were linked, so a second run picks the same two.
    linked = list(Contact.objects.filter(user=parent).order_by("pk").values_list("pupil_id", flat=True))
    by_pupil = {c.pupil_id: c for c in active}
    children = [by_pupil[p] for p in linked if p in by_pupil]
    for cycle in active:
        if len(children) >= 2:
            break
        if cycle.pupil_id not in linked:
            Contact.objects.create(
                trust_id=cycle.trust_id,
                pupil=cycle.pupil,
                name=parent.full_name,
                relationship="Mother",
                email=parent.email,
                user=parent,
            )
            children.append(cycle)
    if len(children) < 2:
        return ""
    asked, given = children[0], children[1]
    done = []
    if not ViewsRequest.objects.filter(subject_kind=KIND, subject_id=asked.pk).exists():
        ask_parents_for_views(subject=subject_of(asked), actor=senco)
        done.append("asked")
    if not ParentContribution.objects.filter(subject_kind=KIND, subject_id=given.pk, author=parent).exists():
        report = SimpleUploadedFile("Speech therapy report.pdf", REPORT, content_type="application/pdf")
        save_parent_views(pupil=given.pupil, subject=subject_of(given), author=parent, answers=VIEWS, reports=[report])
        done.append("given")
    return "Parents' views before a review: asked and given." if done else ""
