"""The CTF pages: a SENCO sends a leaver's file (C1 met), another school's SENCO uploads, checks, imports."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from ehcp.models import Deadline
from pupils.models import Pupil
from register.models import RegisterChange
from tests.register.test_ctf import on_sen_support

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ctf"


def test_senco_sends_a_leavers_ctf_and_another_trust_imports_it(demo):
    pupil = on_sen_support(demo)
    url = reverse("register:ctf_send", args=[pupil.pk])
    senco = demo.client_for("senco.acorn@oak.test")
    record = senco.get(reverse("pupils:record", args=[pupil.pk]))
    assert url in record.content.decode()
    assert reverse("reports:sen_file_pack", args=[pupil.pk, "zip"]) in record.content.decode()
    response = senco.post(url, {"destination_la": "885", "destination_estab": "2203"})
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert 'filename="CTF 8932101' in response["Content-Disposition"]
    with scope(trust=demo.oak.pk):
        assert Deadline.objects.get(rule_id="C1", pupil=pupil).status == Deadline.Status.MET
    xml = response.content

    willow = demo.client_for("senco.willow@river.test")
    # The other trust never reaches the leaver's page.
    assert willow.get(url).status_code == 404
    page = willow.post(reverse("register:ctf_import"), {"file": SimpleUploadedFile("ctf.xml", xml)})
    assert "Check before importing" in page.content.decode() and pupil.upn in page.content.decode()
    with scope(trust=demo.river.pk):
        assert not Pupil.objects.filter(upn=pupil.upn).exists()  # nothing saved before confirming
    done = willow.post(reverse("register:ctf_import"), {"ctf": page.context["data"], "confirm": "1"})
    with scope(trust=demo.river.pk):
        arrived = Pupil.objects.get(upn=pupil.upn)
        assert RegisterChange.objects.filter(pupil=arrived).count() == 2
    assert done.status_code == 302 and done["Location"] == reverse("pupils:record", args=[arrived.pk])


def test_a_bad_destination_and_a_hostile_upload_get_clear_messages(demo):
    pupil = on_sen_support(demo)
    senco = demo.client_for("senco.acorn@oak.test")
    page = senco.post(
        reverse("register:ctf_send", args=[pupil.pk]), {"destination_la": "893", "destination_estab": "4102"}
    )
    assert page.status_code == 200 and "record a move instead" in page.content.decode()
    hostile = SimpleUploadedFile("ctf.xml", (FIXTURES / "billion_laughs.xml").read_bytes())
    page = demo.client_for("senco.willow@river.test").post(reverse("register:ctf_import"), {"file": hostile})
    assert page.status_code == 200 and "refused unread" in page.content.decode()
    assert page.context.get("preview") is None
    with scope(trust=demo.oak.pk):
        assert not Deadline.objects.filter(rule_id="C1", pupil=pupil, status=Deadline.Status.MET).exists()
