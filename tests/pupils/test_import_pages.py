"""The import pages: upload, preview with every problem (writing nothing), confirm; and the possible leavers."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from pupils.models import GroupMember, Pupil
from pupils.upn import make_upn
from pupils.views import imports as import_views
from tests.factories import make_pupil
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
HEADER = "UPN,Legal Surname,Legal Forename,DOB,Gender,Year,Reg Group"
SENCO = "senco.acorn@oak.test"


def upn(n: int) -> str:
    return make_upn(893, 2101, 23 + n // 1000, n % 1000)


def pupil_line(n: int, dob: str = "14/03/2017") -> str:
    return f"{upn(n)},Surname{n},Forename{n},{dob},F,4,4B"


def upload(client, lines: list[str], *, school=None, kind: str = "pupils", full: bool = False, header: str = HEADER):
    content = ("\r\n".join([header, *lines]) + "\r\n").encode()
    data = {"kind": kind, "file": SimpleUploadedFile("sims export.csv", content, content_type="text/csv")}
    if school is not None:
        data["school"] = str(school.pk)
    if full:
        data["full"] = "on"
    return client.post(reverse("pupils:import"), data)


def counts() -> tuple[int, int]:
    with scopes_disabled():
        return Pupil.objects.count(), AuditEntry.objects.count()


def stored_uploads() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


# ---------------------------------------------------------------------------------------- the flow


def test_upload_preview_confirm_imports_the_good_rows(demo) -> None:
    client = demo.client_for(SENCO)
    response = upload(client, [pupil_line(1), pupil_line(2, dob="31/02/2017"), pupil_line(3)], school=demo.acorn)
    assert response.status_code == 302
    preview_url = response["Location"]
    before = counts()

    page = client.get(preview_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in html
    assert '<td class="govuk-table__cell">DOB</td>' in html
    assert "&#x27;31/02/2017&#x27; is not a real date" in html
    assert "2 new pupils" in html and "1 row with problems" in html
    assert "Import 2 rows" in html
    assert counts() == before  # the preview writes nothing

    done = client.post(preview_url)
    assert done.status_code == 302 and done["Location"] == reverse("pupils:import")
    assert counts() == (before[0] + 2, before[1] + 1)
    message = client.get(done["Location"]).content.decode()
    assert (
        "sims export.csv was imported into Acorn Primary: 2 created, 0 updated, 0 unchanged; 1 row not imported."
        in message
    )
    assert stored_uploads() == []  # the upload is gone once imported
    again = client.post(preview_url)
    assert again.status_code == 302
    assert "has expired or has already been imported" in client.get(again["Location"]).content.decode()
    assert counts() == (before[0] + 2, before[1] + 1)


def test_whole_file_problem_is_shown_on_the_upload_page_and_nothing_is_stored(demo) -> None:
    client = demo.client_for(SENCO)
    response = upload(client, [], school=demo.acorn, header="Name,Address")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The file has no UPN, Legal Surname, Legal Forename, DOB, Gender or Year column." in html
    assert stored_uploads() == []


def test_upload_without_a_file_asks_for_one(demo) -> None:
    response = demo.client_for(SENCO).post(reverse("pupils:import"), {"kind": "pupils", "school": demo.acorn.pk})
    assert "Choose a CSV file to upload." in response.content.decode()


def test_file_over_10_mb_is_refused_on_upload(demo) -> None:
    client = demo.client_for(SENCO)
    big = SimpleUploadedFile("big.csv", b"x" * (10 * 1024 * 1024 + 1), content_type="text/csv")
    response = client.post(reverse("pupils:import"), {"kind": "pupils", "school": demo.acorn.pk, "file": big})
    assert "the largest file you can import is 10 MB" in response.content.decode()
    assert stored_uploads() == []


def test_senco_imports_only_into_their_own_school(demo) -> None:
    client = demo.client_for(SENCO)
    page = client.get(reverse("pupils:import")).content.decode()
    assert "<strong>School:</strong> Acorn Primary" in page and "Beech Academy" not in page
    response = upload(client, [pupil_line(1)], school=demo.beech)
    assert response.status_code == 200
    assert "Choose one of the schools in the list." in response.content.decode()


def test_trust_lead_picks_the_school(demo) -> None:
    client = demo.client_for("lead@oak.test")
    page = client.get(reverse("pupils:import")).content.decode()
    assert "Acorn Primary" in page and "Beech Academy" in page and "Willow" not in page
    response = upload(client, [pupil_line(1)], school=demo.beech)
    client.post(response["Location"])
    with scopes_disabled():
        assert Pupil.objects.get(upn=upn(1)).school_id == demo.beech.pk


def test_groups_file_through_the_page(demo) -> None:
    pupil = make_pupil(demo.acorn)
    client = demo.client_for(SENCO)
    response = upload(
        client,
        [f"{pupil.upn},4B,teacher.acorn@oak.test"],
        school=demo.acorn,
        kind="groups",
        header="UPN,Group,Teacher Email",
    )
    html = client.get(response["Location"]).content.decode()
    assert "1 pupil added to a group" in html and "1 new group: 4B" in html
    client.post(response["Location"])
    with scopes_disabled():
        assert GroupMember.objects.filter(pupil=pupil, group__name="4B").exists()


# ---------------------------------------------------------------------------------------- the token


def test_another_persons_upload_is_not_found(demo) -> None:
    response = upload(demo.client_for(SENCO), [pupil_line(1)], school=demo.acorn)
    url = response["Location"]
    for email in ("head.acorn@oak.test", "lead@oak.test", "lead@river.test"):
        assert demo.client_for(email).get(url).status_code == 404
        assert demo.client_for(email).post(url).status_code == 404
    assert counts()[0] == 0


def test_tampered_token_is_not_found(demo) -> None:
    url = upload(demo.client_for(SENCO), [pupil_line(1)], school=demo.acorn)["Location"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = reverse("pupils:import_preview", kwargs={"token": token[:-2] + ("AA" if token[-2:] != "AA" else "BB")})
    assert demo.client_for(SENCO).get(forged).status_code == 404


def test_expired_upload_asks_for_the_file_again(demo, monkeypatch) -> None:
    client = demo.client_for(SENCO)
    url = upload(client, [pupil_line(1)], school=demo.acorn)["Location"]
    monkeypatch.setattr(import_views, "TOKEN_MAX_AGE", -1)
    response = client.post(url)
    assert response.status_code == 302
    assert "has expired" in client.get(response["Location"]).content.decode()
    assert counts()[0] == 0


# ---------------------------------------------------------------------------------------- query counts


@pytest.mark.parametrize("method", ["get", "post"])
def test_preview_and_confirm_queries_do_not_grow_with_rows(demo, method) -> None:
    client = demo.client_for(SENCO)
    used = []
    for size in (2, 40):
        lines = [pupil_line(n) for n in range(size * 10, size * 11)]
        make_pupil(demo.acorn, upn=upn(size * 10), year_group="3")  # one update in each file
        url = upload(client, lines, school=demo.acorn)["Location"]
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(url)
        assert response.status_code == (200 if method == "get" else 302)
        used.append(len(queries))
    assert used[0] == used[1], used
    assert used[0] < 25, used


def test_leavers_page_queries_do_not_grow_with_pupils(demo) -> None:
    client = demo.client_for(SENCO)
    url = reverse("pupils:import_leavers", args=[demo.acorn.pk])
    used = []
    for size in (1, 10):
        for _ in range(size):
            make_pupil(demo.acorn, possible_leaver_since=TODAY)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        used.append(len(queries))
    assert used[0] == used[1]


# ---------------------------------------------------------------------------------------- leavers


def test_full_import_then_senco_confirms_one_leaver_and_keeps_another(demo) -> None:
    stays = make_pupil(demo.acorn, upn=upn(1), legal_surname="Surname1", legal_forename="Forename1")
    left = make_pupil(demo.acorn, legal_surname="Leaving", admission_date=date(2021, 9, 1))
    here = make_pupil(demo.acorn, legal_surname="Absent")
    client = demo.client_for(SENCO)
    url = upload(client, [pupil_line(1)], school=demo.acorn, full=True)["Location"]
    preview = client.get(url).content.decode()
    assert "2 pupils newly listed as possible leavers" in preview
    done = client.post(url)
    assert done["Location"] == reverse("pupils:import_leavers", args=[demo.acorn.pk])
    page = client.get(done["Location"]).content.decode()
    assert "Leaving" in page and "Absent" in page and "Surname1" not in page

    decide = reverse("pupils:import_leaver_decide", args=[left.pk])
    response = client.post(decide, {"decision": "left", "leaving_date": (TODAY - timedelta(days=2)).isoformat()})
    assert response.status_code == 302
    response = client.post(reverse("pupils:import_leaver_decide", args=[here.pk]), {"decision": "in_school"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "is still in school and is off the list of possible leavers" in page
    assert "There are no possible leavers to check." in page
    with scopes_disabled():
        left.refresh_from_db()
        here.refresh_from_db()
        stays.refresh_from_db()
        assert (left.leaving_date, left.possible_leaver_since) == (TODAY - timedelta(days=2), None)
        assert (here.leaving_date, here.possible_leaver_since) == (None, None)
        assert stays.possible_leaver_since is None
        assert AuditEntry.objects.filter(pupil_id__in=[left.pk, here.pk]).count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "left", "leaving_date": ""}, "Enter the date the pupil left."),
        ({"decision": "left", "leaving_date": "2026-02-31"}, "Enter the leaving date as a real date"),
        ({"decision": "left", "leaving_date": (TODAY + timedelta(days=5)).isoformat()}, "cannot be in the future"),
        ({"decision": "left", "leaving_date": "2020-01-01"}, "before the pupil joined (01/09/2021)"),
        ({}, "Choose whether the pupil has left or is still in school."),
    ],
)
def test_wrong_leaver_decision_is_shown_beside_the_pupil(demo, data, message) -> None:
    pupil = make_pupil(demo.acorn, possible_leaver_since=TODAY, admission_date=date(2021, 9, 1))
    response = demo.client_for(SENCO).post(reverse("pupils:import_leaver_decide", args=[pupil.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html.replace("&#x27;", "'")
    assert f'href="#leaving-date-{pupil.pk}"' in html
    with scopes_disabled():
        pupil.refresh_from_db()
    assert pupil.leaving_date is None and pupil.possible_leaver_since == TODAY


def test_decision_on_a_pupil_no_longer_listed_changes_nothing(demo) -> None:
    pupil = make_pupil(demo.acorn, possible_leaver_since=None)
    client = demo.client_for(SENCO)
    response = client.post(
        reverse("pupils:import_leaver_decide", args=[pupil.pk]), {"decision": "left", "leaving_date": TODAY.isoformat()}
    )
    assert response.status_code == 302
    assert "is no longer on the list of possible leavers" in client.get(response["Location"]).content.decode()
    with scopes_disabled():
        pupil.refresh_from_db()
    assert pupil.leaving_date is None


def test_start_page_counts_possible_leavers_per_school(demo) -> None:
    make_pupil(demo.acorn, possible_leaver_since=TODAY)
    make_pupil(demo.acorn, possible_leaver_since=TODAY)
    make_pupil(demo.beech, possible_leaver_since=TODAY)
    page = demo.client_for("lead@oak.test").get(reverse("pupils:import")).content.decode()
    assert "Acorn Primary</a>: 2 possible leavers to check" in page
    assert "Beech Academy</a>: 1 possible leaver to check" in page


def test_uploads_never_confirmed_are_deleted_by_the_daily_task(demo) -> None:
    """An upload holds pupils' personal data: one left waiting over a day is deleted even if nobody uploads
    again; a fresh one waiting for its confirmation is kept."""
    import os

    from pupils import importing, tasks

    old = importing.store_upload(b"UPN,Legal Surname\n")
    fresh = importing.store_upload(b"UPN,Legal Surname\n")
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(Path(settings.MEDIA_ROOT) / old, (two_days_ago, two_days_ago))
    assert tasks.delete_stale_imports() == 1
    assert importing.load_upload(old) is None and importing.load_upload(fresh) == b"UPN,Legal Surname\n"
    assert tasks.delete_stale_imports() == 0
    assert "delete-stale-imports" in settings.CELERY_BEAT_SCHEDULE
