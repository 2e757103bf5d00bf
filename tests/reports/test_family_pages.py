"""Pages and documents written for families end with the family footer (who to talk to, how their data is
used), not the staff warning about handling special category data; staff pages keep the warning."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django_scopes import scope
from pypdf import PdfReader

from graduated.pdf import render_support_plan_pdf
from reviews import services as review_services
from reviews.pdf import review_pdf_html
from tests.factories import link_parent, pupil_at
from tests.permission_cases.ehcp import make_plan
from tests.permission_cases.graduated import casework_user

pytestmark = pytest.mark.django_db

STAFF_WARNING = "Contains personal and special category data"
FAMILY_FOOTER = "Who to talk to"
TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Documents parents are given: each must end with {% family_footer %}. A new parent document goes here.
PARENT_DOCUMENTS = ["graduated/plan_pdf.html", "reviews/report_pdf.html"]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_every_portal_template_and_parent_document_uses_the_family_footer() -> None:
    portal = sorted((TEMPLATES / "reports" / "portal").glob("*.html"))
    assert portal
    for path in portal:
        source = path.read_text()
        if '{% extends "base.html" %}' in source:
            assert "{% block footer_notice %}{% family_footer" in source, f"{path.name} shows the staff warning"
    for name in PARENT_DOCUMENTS:
        assert "{% family_footer" in (TEMPLATES / name).read_text(), name


def test_portal_pages_name_the_senco_and_link_the_privacy_page_without_the_staff_warning(demo) -> None:
    pupil = pupil_at(demo, demo.acorn, legal_forename="Maisie", preferred_forename="Maisie")
    client = demo.client_for("parent.acorn@oak.test")
    for url in (reverse("reports:portal"), reverse("reports:portal_child", args=[pupil.pk])):
        page = _text(client.get(url).content.decode())
        assert STAFF_WARNING not in page, url
        assert FAMILY_FOOTER in page, url
        assert "Talk to the SENCO at Acorn Primary: Priya Sharma (senco.acorn@oak.test)" in page, url
        assert f'href="{reverse("trusts:privacy")}"' in client.get(url).content.decode(), url


def test_a_parent_with_no_child_linked_still_gets_the_family_footer(demo) -> None:
    page = _text(demo.client_for("parent.willow@river.test").get(reverse("reports:portal")).content.decode())
    assert FAMILY_FOOTER in page and STAFF_WARNING not in page


def test_staff_pages_keep_the_staff_warning(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    link_parent(pupil, demo.user("parent.acorn@oak.test"))
    client = demo.client_for("senco.acorn@oak.test")
    for url in ("/", reverse("pupils:record", args=[pupil.pk])):
        page = _text(client.get(url).content.decode())
        assert STAFF_WARNING in page and FAMILY_FOOTER not in page, url


def test_the_parents_support_plan_pdf_ends_with_the_family_footer(demo) -> None:
    pupil = pupil_at(demo, demo.acorn, legal_forename="Maisie")
    with scope(trust=demo.oak.pk):
        pdf = render_support_plan_pdf(pupil)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = re.sub(r"\s+", " ", text)
    assert FAMILY_FOOTER in text and "Priya Sharma" in text and STAFF_WARNING not in text
    # On paper the privacy link is the full address.
    reader = PdfReader(io.BytesIO(pdf))
    links = {
        annot.get_object()["/A"].get("/URI")
        for page in reader.pages
        for annot in page.get("/Annots") or []
        if "/A" in annot.get_object()
    }
    assert settings.SITE_URL.rstrip("/") + reverse("trusts:privacy") in links


def test_the_annual_review_report_ends_with_the_family_footer(demo) -> None:
    plan = make_plan(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        review = review_services.start_review(plan=plan, actor=casework_user(demo.acorn))
        html = _text(review_pdf_html(review))
    assert FAMILY_FOOTER in html and "Priya Sharma" in html and STAFF_WARNING not in html


def _parent_html_pages(demo) -> list[str]:
    """Every page of the permission matrix a parent opens at their own school that answers HTML (PDFs have
    their own footer tests above)."""
    from tests.test_permission_matrix import CASES

    client = demo.client_for("parent.acorn@oak.test")
    urls = []
    for case in CASES:
        if case.method != "get" or "parent.acorn@oak.test" not in case.own:
            continue
        kwargs = case.kwargs(demo, demo.acorn) if case.kwargs else {}
        url = reverse(case.name, kwargs=kwargs or None)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            urls.append(url)
    return urls


# Pages a parent reaches outside the matrix: their account's pages (allauth) and a page that is not there.
PUBLIC_FOOTER = "To talk about your child, ask the school office for the SENCO."
ACCOUNT_PAGES = ["/accounts/2fa/", "/accounts/email/", "/accounts/password/change/", "/no-such-page/"]


def test_every_page_a_parent_opens_ends_with_the_family_footer(demo) -> None:
    client = demo.client_for("parent.acorn@oak.test")
    urls = _parent_html_pages(demo)
    assert {reverse("trusts:notifications"), reverse("trusts:privacy"), reverse("reports:portal")} <= set(urls)
    problems = []
    for url in urls + ACCOUNT_PAGES:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        page = _text(response.content.decode())
        # The school's published SEN information report is a public page with a footer of its own for families.
        footer = PUBLIC_FOOTER if url.startswith("/public/") else FAMILY_FOOTER
        if STAFF_WARNING in page or footer not in page:
            problems.append(url)
        elif url in ACCOUNT_PAGES[:1] or url == reverse("trusts:notifications"):
            # The parent's own school is named: its SENCO is the person to talk to.
            assert "Talk to the SENCO at Acorn Primary: Priya Sharma" in page, url
    assert problems == [], f"These pages show a parent the staff warning: {problems}"


def test_staff_keep_the_warning_on_the_pages_parents_also_open(demo) -> None:
    for email in ("senco.acorn@oak.test", "teacher.acorn@oak.test"):
        client = demo.client_for(email)
        for url in [reverse("trusts:notifications"), reverse("trusts:privacy"), *ACCOUNT_PAGES]:
            page = _text(client.get(url).content.decode())
            assert STAFF_WARNING in page and FAMILY_FOOTER not in page, (email, url)


def _invitation(demo, kind: str, email: str) -> str:
    from trusts.invitations import create_invitation, send_invitation
    from trusts.models import Invitation

    pupil = pupil_at(demo, demo.acorn)
    payload = {"contact": 0, "pupil": pupil.pk} if kind == Invitation.Kind.PARENT else {"roles": []}
    with scope(trust=demo.oak.pk):
        invitation = create_invitation(
            trust_id=demo.oak.pk,
            kind=kind,
            email=email,
            payload=payload,
            invited_by=demo.user("senco.acorn@oak.test"),
            school=demo.acorn,
            send=False,
        )
        token = send_invitation(invitation=invitation)
    assert token
    return reverse("trusts:invitation", kwargs={"token": token})


def test_a_family_reads_the_family_footer_on_every_invitation_page(demo) -> None:
    from django.test import Client

    new_account = _invitation(demo, "parent", "new.parent@example.com")
    existing = _invitation(demo, "parent", "parent.acorn@oak.test")
    pages = {
        "set up your account": (Client(), new_account),
        "sign in to accept": (Client(), existing),
        "accept": (demo.client_for("parent.acorn@oak.test"), existing),
        "another account": (demo.client_for("parent.willow@river.test"), new_account),
        "link not valid": (Client(), reverse("trusts:invitation", kwargs={"token": "no-such-token"})),
        "link not valid, signed in": (
            demo.client_for("parent.acorn@oak.test"),
            reverse("trusts:invitation", kwargs={"token": "no-such-token"}),
        ),
    }
    for name, (client, url) in pages.items():
        page = _text(client.get(url).content.decode())
        assert FAMILY_FOOTER in page and STAFF_WARNING not in page, name
    # A parent's invitation names the school's SENCO before the family has an account.
    assert "Talk to the SENCO at Acorn Primary: Priya Sharma" in _text(Client().get(new_account).content.decode())


def test_a_staff_invitation_and_staff_signed_in_keep_the_warning(demo) -> None:
    from django.test import Client

    staff = _invitation(demo, "staff", "new.teacher@oak.test")
    invalid = reverse("trusts:invitation", kwargs={"token": "no-such-token"})
    for client, url in ((Client(), staff), (demo.client_for("senco.acorn@oak.test"), invalid)):
        page = _text(client.get(url).content.decode())
        assert STAFF_WARNING in page and FAMILY_FOOTER not in page, url
