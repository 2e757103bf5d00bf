"""The common transfer file: export for a leaver, import of an arriving pupil's SEN part, hostile files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from ehcp.models import Deadline
from ehcp.services import open_records_transfer
from pupils.models import Pupil
from register import ctf
from register.models import RegisterChange, RegisterEntry, SenStatus
from register.services import change_status
from tests.factories import make_pupil

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ctf"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def on_sen_support(demo, *, leaving: bool = True) -> Pupil:
    """An Acorn pupil put on SEN support (ASD, then SLCN second) in 2022, leaving today."""
    senco = demo.user("senco.acorn@oak.test")
    pupil = make_pupil(demo.acorn)
    with scope(trust=demo.oak.pk):
        change_status(
            pupil=pupil,
            to_status=SenStatus.MONITORING,
            actor=senco,
            reason="Watching reading",
            effective_date=date(2021, 10, 4),
        )
        change_status(
            pupil=pupil,
            to_status=SenStatus.SEN_SUPPORT,
            actor=senco,
            reason="Assessed",
            effective_date=date(2022, 1, 10),
            primary_need="ASD",
            secondary_need="SLCN",
            parents_told_on=date(2022, 1, 10),
        )
        if leaving:
            Pupil.objects.filter(pk=pupil.pk).update(leaving_date=timezone.localdate())
            pupil.refresh_from_db()
    return pupil


def test_ctf_round_trips_from_oak_to_river_with_the_sen_history_intact(demo):
    pupil = on_sen_support(demo)
    with scope(trust=demo.oak.pk):
        xml = ctf.build_ctf(
            pupil=pupil, destination_la="885", destination_estab="2203", actor=demo.user("senco.acorn@oak.test")
        )
    assert b"<CTFversion>25.0</CTFversion>" in xml and b"<DocumentQualifier>partial</DocumentQualifier>" in xml
    with scope(trust=demo.river.pk):
        arrived = ctf.import_ctf_sen(school=demo.willow, data=xml, actor=demo.user("senco.willow@river.test"))
        history = list(RegisterChange.objects.filter(pupil=arrived).order_by("effective_date", "id"))
        entry = RegisterEntry.objects.get(pupil=arrived)
    assert (arrived.upn, arrived.legal_surname, arrived.date_of_birth) == (
        pupil.upn,
        pupil.legal_surname,
        pupil.date_of_birth,
    )
    assert arrived.trust_id == demo.river.pk and arrived.school_id == demo.willow.pk
    # Monitoring is not a census code: the file carries N for it, then K from the day SEN support began.
    assert [(c.effective_date, c.to_status) for c in history] == [
        (date(2021, 10, 4), SenStatus.NONE),
        (date(2022, 1, 10), SenStatus.SEN_SUPPORT),
    ]
    assert "Acorn Primary (893/2101)" in history[-1].reason
    assert (entry.status, entry.since, entry.primary_need, entry.secondary_need) == (
        "K",
        date(2022, 1, 10),
        "ASD",
        "SLCN",
    )


def test_sending_the_ctf_meets_c1(demo):
    pupil = on_sen_support(demo)
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        open_records_transfer(pupil=pupil, left_on=pupil.leaving_date, actor=None)
        ctf.record_ctf_sent(pupil=pupil, destination_la="885", destination_estab="2203", actor=senco)
        c1 = Deadline.objects.get(rule_id="C1", pupil=pupil)
    assert (c1.status, c1.met_on) == (Deadline.Status.MET, timezone.localdate())


def test_sending_for_a_pupil_only_marked_as_leaving_opens_c1_and_meets_it(demo):
    pupil = on_sen_support(demo, leaving=False)
    today = timezone.localdate()
    with scope(trust=demo.oak.pk):
        Pupil.objects.filter(pk=pupil.pk).update(possible_leaver_since=today)
        pupil.refresh_from_db()
        ctf.record_ctf_sent(
            pupil=pupil, destination_la="885", destination_estab="2203", actor=demo.user("senco.acorn@oak.test")
        )
        c1 = Deadline.objects.get(rule_id="C1", pupil=pupil)
    assert (c1.status, c1.trigger_date, c1.met_on) == (Deadline.Status.MET, today, today)


def test_a_pupil_not_leaving_or_going_to_a_trust_school_gets_a_clear_message(demo):
    pupil = on_sen_support(demo, leaving=False)
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError, match="leaving"):
            ctf.record_ctf_sent(pupil=pupil, destination_la="885", destination_estab="2203", actor=senco)
        with pytest.raises(ValidationError, match="Beech Academy, a school of this trust: record a move"):
            ctf.build_ctf(pupil=pupil, destination_la="893", destination_estab="4102", actor=senco)
        with pytest.raises(ValidationError, match="3 digits"):
            ctf.build_ctf(pupil=pupil, destination_la="88", destination_estab="2203", actor=senco)


def test_an_incoming_e_is_kept_as_the_last_schools_history_and_recorded_here_as_k(demo):
    with scope(trust=demo.river.pk):
        pupil = ctf.import_ctf_sen(
            school=demo.willow, data=fixture("incoming_willow.xml"), actor=demo.user("senco.willow@river.test")
        )
        history = list(RegisterChange.objects.filter(pupil=pupil).order_by("effective_date", "id"))
        entry = RegisterEntry.objects.get(pupil=pupil)
    assert [c.to_status for c in history] == ["K", "E", "K"]
    assert history[1].effective_date == date(2023, 5, 10) and "Hazel Infant School (999/1234)" in history[1].reason
    assert "until the EHC plan is recorded" in history[2].reason and history[2].effective_date == timezone.localdate()
    # SENtypeRank orders the needs whatever order the file lists them in.
    assert (entry.status, entry.primary_need, entry.secondary_need) == ("K", "ASD", "SLCN")
    assert (pupil.legal_forename, pupil.year_group, pupil.gender) == ("Nia", "3", "F")


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml", "external_dtd.xml"])
def test_hostile_xml_is_refused_unread_and_nothing_is_written(demo, name):
    with scope(trust=demo.river.pk):
        before = Pupil.objects.count()
        with pytest.raises(ValidationError, match="refused unread"):
            ctf.import_ctf_sen(school=demo.willow, data=fixture(name), actor=demo.user("senco.willow@river.test"))
        assert Pupil.objects.count() == before and not RegisterChange.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ((b"<Estab>2203</Estab>", b"<Estab>2999</Estab>"), "is for 885/2999, not Willow Primary"),
        ((b"<UPN>C999123425001</UPN>", b"<UPN>A999123425001</UPN>"), "should start with C"),
        ((b"<SENprovision>K</SENprovision>", b"<SENprovision>Q</SENprovision>"), "SENprovision 'Q'"),
        ((b"<StartDate>2021-03-01</StartDate>", b"<StartDate>01/03/21</StartDate>"), "not a date"),
        ((b"</CTfile>", b""), "not well-formed XML"),
        ((b"<CTfile>", b"<Other>"), None),
    ],
)
def test_a_bad_ctf_gets_a_clear_message_and_writes_nothing(demo, change, message):
    data = fixture("incoming_willow.xml").replace(*change)
    with scope(trust=demo.river.pk):
        with pytest.raises(ValidationError) as raised:
            ctf.import_ctf_sen(school=demo.willow, data=data, actor=demo.user("senco.willow@river.test"))
        assert not Pupil.objects.filter(upn="C999123425001").exists()
    assert message is None or message in " ".join(raised.value.messages)


def test_a_pupil_already_on_roll_in_the_trust_is_refused_and_one_from_the_mis_gets_the_history(demo):
    from_mis = make_pupil(demo.willow, upn="C999123425001")
    senco = demo.user("senco.willow@river.test")
    with scope(trust=demo.river.pk):
        # On roll here already (the MIS import came first) with no history: the CTF's SEN part joins them.
        pupil = ctf.import_ctf_sen(school=demo.willow, data=fixture("incoming_willow.xml"), actor=senco)
        assert pupil.pk == from_mis.pk and RegisterChange.objects.filter(pupil=pupil).count() == 3
        with pytest.raises(ValidationError, match="already has a register history here"):
            ctf.import_ctf_sen(school=demo.willow, data=fixture("incoming_willow.xml"), actor=senco)


def test_a_pupil_on_roll_at_another_school_of_the_trust_is_refused(demo):
    on_roll = make_pupil(demo.acorn)
    data = fixture("incoming_willow.xml").replace(b"C999123425001", on_roll.upn.encode())
    data = data.replace(b"<LEA>885</LEA>", b"<LEA>893</LEA>").replace(b"<Estab>2203</Estab>", b"<Estab>4102</Estab>")
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError, match="already on roll at Acorn Primary"):
        ctf.import_ctf_sen(school=demo.beech, data=data, actor=demo.user("senco.beech@oak.test"))


def test_a_teacher_cannot_import(demo):
    with scope(trust=demo.river.pk), pytest.raises(ValidationError, match="cannot change the SEN register"):
        ctf.import_ctf_sen(
            school=demo.willow, data=fixture("incoming_willow.xml"), actor=demo.user("teacher.willow@river.test")
        )


def test_older_files_with_pre_2014_codes_read_as_k_and_e(demo):
    data = fixture("incoming_willow.xml").replace(b"<SENprovision>K<", b"<SENprovision>P<")
    with scope(trust=demo.river.pk):
        preview = ctf.preview_ctf(school=demo.willow, data=data)
    assert [s for _, s in preview.ctf.sen] == ["K", "E"] and any("pre-2014" in n for n in preview.notes)
