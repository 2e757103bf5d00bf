"""The register page, census export and a teacher's own pupils: content, filters, isolation, query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from register.services import change_status
from tests.factories import make_group, make_pupil, pupil_at
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def put_on_register(pupil, status="K", need="SLCN", secondary=""):
    with scope(trust=pupil.trust_id):
        change_status(
            pupil=pupil,
            to_status=status,
            actor=None,
            reason="Demo",
            primary_need=need if status != "M" else "",
            secondary_need=secondary,
            parents_told_on=TODAY if status != "M" else None,
        )


def test_register_shows_counts_and_pupils_on_the_register(demo) -> None:
    a = make_pupil(demo.acorn, legal_surname="Ashworth", year_group="3")
    b = make_pupil(demo.acorn, legal_surname="Bhatt", year_group="5", eal=True)
    make_pupil(demo.acorn, legal_surname="Carver")
    put_on_register(a, "K", "SLCN", "SEMH")
    put_on_register(b, "M")
    page = demo.client_for("senco.acorn@oak.test").get(reverse("register:list")).content.decode()
    assert "Ashworth" in page and "Bhatt" in page and "Carver" not in page  # default: on the register
    assert "<dt>On roll</dt><dd>3</dd>" in page
    assert "<dt>SEN support (K)</dt><dd>1</dd>" in page
    assert "<dt>Monitoring</dt><dd>1</dd>" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=K", {"Ashworth"}),
        ("status=N", {"Carver"}),
        ("status=all", {"Ashworth", "Bhatt", "Carver"}),
        ("need=SEMH", {"Ashworth"}),
        ("year=5", {"Bhatt"}),
        ("status=all&flags=eal", {"Bhatt"}),
        ("status=all&group=GROUP", {"Carver"}),
    ],
)
def test_register_filters(demo, query, expected) -> None:
    a = make_pupil(demo.acorn, legal_surname="Ashworth", year_group="3")
    b = make_pupil(demo.acorn, legal_surname="Bhatt", year_group="5", eal=True)
    c = make_pupil(demo.acorn, legal_surname="Carver")
    group = make_group(demo.acorn, "6C", pupils=[c])
    put_on_register(a, "K", "SLCN", "SEMH")
    put_on_register(b, "M")
    url = reverse("register:list") + "?" + query.replace("GROUP", str(group.pk))
    page = demo.client_for("senco.acorn@oak.test").get(url).content.decode()
    shown = {name for name in ("Ashworth", "Bhatt", "Carver") if name in page}
    assert shown == expected


def test_register_sorts_by_year_in_school_order(demo) -> None:
    for surname, year in (("Qten", "10"), ("Qrec", "R"), ("Qtwo", "2")):
        put_on_register(make_pupil(demo.acorn, legal_surname=surname, year_group=year))
    page = demo.client_for("senco.acorn@oak.test").get(reverse("register:list") + "?sort=year").content.decode()
    assert page.index("Qrec") < page.index("Qtwo") < page.index("Qten")
    page = demo.client_for("senco.acorn@oak.test").get(reverse("register:list") + "?sort=year&desc=on").content.decode()
    assert page.index("Qten") < page.index("Qtwo") < page.index("Qrec")


def test_nonsense_filters_do_not_break_the_page(demo) -> None:
    url = reverse("register:list") + "?status=ZZ&need=<script>&year=99&group=abc&sort=drop&page=-4"
    assert demo.client_for("senco.acorn@oak.test").get(url).status_code == 200


def test_lead_chooses_a_school_and_cannot_pick_another_trusts(demo) -> None:
    put_on_register(make_pupil(demo.beech, legal_surname="Beechpupil"))
    client = demo.client_for("lead@oak.test")
    assert "Beechpupil" in client.get(reverse("register:list") + f"?school={demo.beech.pk}").content.decode()
    assert client.get(reverse("register:list") + f"?school={demo.willow.pk}").status_code == 404
    senco = demo.client_for("senco.acorn@oak.test")
    assert senco.get(reverse("register:list") + f"?school={demo.beech.pk}").status_code == 404


def test_census_export_has_k_and_e_only_with_ranked_needs_and_is_audited(demo) -> None:
    a = make_pupil(demo.acorn)
    b = make_pupil(demo.acorn)
    put_on_register(a, "K", "SPLD", "SLCN")
    put_on_register(b, "M")
    response = demo.client_for("senco.acorn@oak.test").get(reverse("register:census_export"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["UPN", "SEN provision", "SEN type rank 1", "SEN type rank 2"],
        [a.upn, "K", "SPLD", "SLCN"],
    ]
    with scope(trust=demo.oak.pk):
        assert AuditEntry.objects.filter(action="export", school=demo.acorn).count() == 1


def test_register_query_count_does_not_grow(demo) -> None:
    client = demo.client_for("senco.acorn@oak.test")
    counts = []
    for n in (10, 200):
        for _ in range(n - (10 if n == 200 else 0)):
            put_on_register(make_pupil(demo.acorn))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("register:list") + "?status=all").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 15


def test_teacher_sees_only_own_pupils(demo) -> None:
    mine = pupil_at(demo, demo.acorn)
    other = make_pupil(demo.acorn, legal_surname="Notmine")
    client = demo.client_for("teacher.acorn@oak.test")
    page = client.get(reverse("register:my_pupils")).content.decode()
    assert mine.legal_surname in page and "Notmine" not in page
    assert client.get(reverse("pupils:record", args=[mine.pk])).status_code == 200
    assert client.get(reverse("pupils:record", args=[other.pk])).status_code == 404
    assert client.get(reverse("pupils:record", args=[999999])).status_code == 404
    assert client.get(reverse("register:list")).status_code == 404


def test_change_status_page_shows_rule_errors_and_saves(demo) -> None:
    pupil = make_pupil(demo.acorn)
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("register:change_status", args=[pupil.pk])
    bad = client.post(url, {"to_status": "K", "effective_date": TODAY.isoformat(), "reason": "APDR"})
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "Choose the primary type of need" in body and "Enter the date parents were told" in body
    ok = client.post(
        url,
        {
            "to_status": "K",
            "primary_need": "SLCN",
            "effective_date": TODAY.isoformat(),
            "parents_told_on": TODAY.isoformat(),
            "reason": "APDR",
        },
    )
    assert ok.status_code == 302
    record = client.get(reverse("pupils:record", args=[pupil.pk])).content.decode()
    assert "SEN support" in record and "Speech, language and communication needs" in record
