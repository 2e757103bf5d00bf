"""The pupils import service: upsert by UPN, bad rows, moves, temporary UPNs, leavers, all or nothing, speed."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from pupils import importing
from pupils.importing import FileProblem, Problem, import_pupils, plan_pupil_import
from pupils.models import GroupMember, Pupil
from pupils.upn import make_temporary_upn, make_upn
from tests.factories import make_group, make_pupil
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
HEADER = [
    "UPN",
    "Legal Surname",
    "Legal Forename",
    "Preferred Forename",
    "DOB",
    "Gender",
    "Year",
    "Reg Group",
    "Admission Date",
    "EAL",
    "FSM",
    "Pupil Premium",
    "Looked After",
]


def upn(n: int) -> str:
    return make_upn(893, 2101, 20 + n // 1000, n % 1000)


def row(n: int, **changes: str) -> dict[str, str]:
    cells = {
        "UPN": upn(n),
        "Legal Surname": f"Surname{n}",
        "Legal Forename": f"Forename{n}",
        "Preferred Forename": "",
        "DOB": "14/03/2017",
        "Gender": "F",
        "Year": "Year 4",
        "Reg Group": "4B",
        "Admission Date": "01/09/2021",
        "EAL": "N",
        "FSM": "Y",
        "Pupil Premium": "Yes",
        "Looked After": "",
    }
    cells.update({k.replace("_", " "): v for k, v in changes.items()})
    return cells


def csv_bytes(rows: list[dict[str, str]], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    lines = [",".join(header)] + [",".join(r.get(h, "") for h in header) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def run(school, rows, *, full: bool = False, **kwargs):
    with scope(trust=school.trust_id):
        return import_pupils(school=school, content=csv_bytes(rows, **kwargs), full=full, actor=None)


def pupils_of(school) -> dict[str, Pupil]:
    with scopes_disabled():
        return {p.upn: p for p in Pupil.objects.filter(school=school)}


# ---------------------------------------------------------------------------------------- upsert


def test_new_file_creates_pupils_with_every_field(demo) -> None:
    plan = run(demo.acorn, [row(1, Preferred_Forename="Jo", EAL="Y", Looked_After="1"), row(2, Year="R")])
    assert plan.summary() == "2 created, 0 updated, 0 unchanged"
    pupils = pupils_of(demo.acorn)
    p = pupils[upn(1)]
    assert (p.legal_surname, p.legal_forename, p.preferred_forename) == ("Surname1", "Forename1", "Jo")
    assert (p.date_of_birth, p.gender, p.year_group, p.reg_group) == (date(2017, 3, 14), "F", "4", "4B")
    assert p.admission_date == date(2021, 9, 1)
    assert (p.eal, p.fsm, p.pupil_premium, p.looked_after) == (True, True, True, True)
    assert p.trust_id == demo.oak.pk
    assert pupils[upn(2)].year_group == "R"
    assert pupils[upn(2)].looked_after is False


def test_importing_the_same_file_twice_changes_nothing(demo) -> None:
    rows = [row(n) for n in range(1, 6)]
    run(demo.acorn, rows)
    before = {u: p.updated_at for u, p in pupils_of(demo.acorn).items()}
    plan = run(demo.acorn, rows, full=True)
    assert plan.summary() == "0 created, 0 updated, 5 unchanged; 0 possible leavers"
    assert {u: p.updated_at for u, p in pupils_of(demo.acorn).items()} == before


def test_a_changed_row_updates_that_pupil_and_says_what_changed(demo) -> None:
    run(demo.acorn, [row(1), row(2)])
    with scope(trust=demo.oak.pk):
        plan = plan_pupil_import(school=demo.acorn, content=csv_bytes([row(1, Year="5", FSM="N"), row(2)]), full=False)
    assert [c.changes for c in plan.updated] == [["Year group: 4 → 5", "FSM: Yes → No"]]
    assert pupils_of(demo.acorn)[upn(1)].year_group == "4"  # planning writes nothing
    run(demo.acorn, [row(1, Year="5", FSM="N"), row(2)])
    assert pupils_of(demo.acorn)[upn(1)].year_group == "5"
    assert pupils_of(demo.acorn)[upn(1)].fsm is False


def test_columns_missing_from_the_file_are_left_as_they_are(demo) -> None:
    make_pupil(demo.acorn, upn=upn(1), reg_group="4B", fsm=True, legal_surname="Surname1", legal_forename="Forename1")
    header = ["UPN", "Legal Surname", "Legal Forename", "DOB", "Gender", "Year"]
    plan = run(demo.acorn, [row(1, DOB="14/03/2017")], header=header)
    assert plan.summary() == "0 created, 0 updated, 1 unchanged"
    assert pupils_of(demo.acorn)[upn(1)].reg_group == "4B"


def test_pupil_of_another_school_of_the_trust_moves_and_leaves_its_old_groups(demo) -> None:
    pupil = make_pupil(demo.beech, upn=upn(1), legal_surname="Surname1", legal_forename="Forename1")
    make_group(demo.beech, "9X", pupils=[pupil])
    plan = run(demo.acorn, [row(1)])
    assert plan.summary() == "0 created, 1 updated, 0 unchanged; 1 pupil moved from another school"
    assert plan.updated[0].moved_from == "Beech Academy"
    assert plan.left_old_groups == 1
    assert upn(1) in pupils_of(demo.acorn) and upn(1) not in pupils_of(demo.beech)
    with scopes_disabled():
        assert not GroupMember.objects.filter(pupil=pupil).exists()


def test_same_upn_in_another_trust_is_a_different_pupil_and_untouched(demo) -> None:
    willow_upn = make_upn(885, 2203, 20, 1)
    other = make_pupil(demo.willow, upn=willow_upn, legal_surname="Other")
    run(demo.acorn, [row(1, UPN=willow_upn)])
    with scopes_disabled():
        other.refresh_from_db()
        assert other.school_id == demo.willow.pk and other.legal_surname == "Other"
        assert Pupil.objects.filter(upn=willow_upn).count() == 2


def test_a_pupil_who_had_left_and_is_listed_again_is_back_on_roll(demo) -> None:
    make_pupil(demo.acorn, upn=upn(1), leaving_date=date(2024, 7, 19), possible_leaver_since=None)
    plan = run(demo.acorn, [row(1)])
    assert any("leaving date 19/07/2024 cleared" in line for line in plan.updated[0].changes)
    assert pupils_of(demo.acorn)[upn(1)].leaving_date is None


def test_a_leaving_date_still_to_come_is_kept(demo) -> None:
    soon = TODAY + timedelta(days=30)
    make_pupil(demo.acorn, upn=upn(1), legal_surname="Surname1", legal_forename="Forename1", leaving_date=soon)
    header = ["UPN", "Legal Surname", "Legal Forename", "DOB", "Gender", "Year"]
    assert run(demo.acorn, [row(1)], header=header).summary() == "0 created, 0 updated, 1 unchanged"
    assert pupils_of(demo.acorn)[upn(1)].leaving_date == soon


# ---------------------------------------------------------------------------------------- temporary UPNs


def test_permanent_upn_replaces_a_temporary_one_for_the_same_child(demo) -> None:
    temporary = make_temporary_upn(893, 2101, 25, 1)
    pupil = make_pupil(
        demo.acorn, upn=temporary, legal_surname="Surname1", legal_forename="Forename1", date_of_birth=date(2017, 3, 14)
    )
    plan = run(demo.acorn, [row(1, Legal_Surname="SURNAME1 ")])
    assert plan.summary() == "0 created, 1 updated, 0 unchanged; 1 temporary UPN replaced"
    assert plan.updated[0].changes[0] == f"UPN: {temporary} (temporary) → {upn(1)}"
    with scopes_disabled():
        pupil.refresh_from_db()
    assert (pupil.upn, pupil.former_upn) == (upn(1), temporary)


def test_temporary_upn_is_not_replaced_when_the_date_of_birth_differs(demo) -> None:
    make_pupil(
        demo.acorn, upn=make_temporary_upn(893, 2101, 25, 1), legal_surname="Surname1", legal_forename="Forename1"
    )
    plan = run(demo.acorn, [row(1, DOB="15/03/2017")])
    assert plan.summary().startswith("1 created, 0 updated")


def test_two_rows_claiming_the_same_temporary_pupil_keep_the_first(demo) -> None:
    make_pupil(
        demo.acorn,
        upn=make_temporary_upn(893, 2101, 25, 1),
        legal_surname="Twin",
        legal_forename="Sam",
        date_of_birth=date(2017, 3, 14),
    )
    plan = run(
        demo.acorn,
        [row(1, Legal_Surname="Twin", Legal_Forename="Sam"), row(2, Legal_Surname="Twin", Legal_Forename="Sam")],
    )
    assert [(p.row, p.column) for p in plan.problems] == [(3, "UPN")]
    assert "Row 2 already gives a new UPN" in plan.problems[0].message
    assert plan.summary().startswith("0 created, 1 updated, 0 unchanged; 1 row not imported")


# ---------------------------------------------------------------------------------------- bad rows


def test_bad_rows_are_reported_by_row_and_column_and_the_good_rows_are_imported(demo) -> None:
    rows = [
        row(1),  # row 2: good
        row(2, UPN="A801200005001"),  # row 3: wrong check letter
        row(3, DOB="31/02/2017"),  # row 4: impossible date
        row(4, Legal_Surname=""),  # row 5: required field missing
        row(5, Year="Year 15"),  # row 6: unknown year
        row(6, UPN=upn(7)),  # row 7: duplicate UPN ...
        row(7),  # row 8: ... of this row
        row(8, Gender="X", FSM="maybe"),  # row 9: two problems
        row(9, Admission_Date="01/09/2010"),  # row 10: admitted before birth
        row(10, DOB=(TODAY + timedelta(days=1)).strftime("%d/%m/%Y")),  # row 11: born tomorrow
        row(11, Reg_Group="X" * 21),  # row 12: too long
        row(12),  # row 13: good
    ]
    plan = run(demo.acorn, rows)
    assert [(p.row, p.column) for p in plan.problems] == [
        (3, "UPN"),
        (4, "DOB"),
        (5, "Legal Surname"),
        (6, "Year"),
        (7, "UPN"),
        (8, "UPN"),
        (9, "Gender"),
        (9, "FSM"),
        (10, "Admission Date"),
        (11, "DOB"),
        (12, "Reg Group"),
    ]
    messages = {(p.row, p.column): p.message for p in plan.problems}
    assert "should start with" in messages[(3, "UPN")]
    assert messages[(4, "DOB")] == "'31/02/2017' is not a real date: check the day and the month."
    assert messages[(5, "Legal Surname")] == "The legal surname is blank: every pupil needs one."
    assert messages[(7, "UPN")] == f"UPN {upn(7)} is also on row 8: keep one row per pupil."
    assert str(plan.problems[0]).startswith("Row 3, UPN: ")
    assert plan.summary() == "2 created, 0 updated, 0 unchanged; 10 rows not imported"
    assert set(pupils_of(demo.acorn)) == {upn(1), upn(12)}


def test_nothing_is_half_written_when_saving_fails(demo, monkeypatch) -> None:
    make_pupil(demo.acorn, upn=upn(1), year_group="3")

    def refuse(**kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(importing.audit, "record", refuse)
    with pytest.raises(FileProblem, match="Nothing was saved"):
        run(demo.acorn, [row(1), row(2), row(3)])
    pupils = pupils_of(demo.acorn)
    assert set(pupils) == {upn(1)} and pupils[upn(1)].year_group == "3"


def test_whole_file_problem_writes_nothing(demo) -> None:
    with scope(trust=demo.oak.pk):
        with pytest.raises(FileProblem, match="no DOB"):
            import_pupils(school=demo.acorn, content=b"UPN,Surname,Forename\r\nB801200005001,A,B\r\n", actor=None)
        assert not AuditEntry.objects.exists()
    assert pupils_of(demo.acorn) == {}


# ---------------------------------------------------------------------------------------- files


def test_bom_crlf_cp1252_and_iso_dates_import_the_same_pupils(demo) -> None:
    rows = [row(1, Legal_Surname="Brontë", DOB="2017-03-14"), row(2, Legal_Forename="Zoé ")]
    with scope(trust=demo.oak.pk):
        content = csv_bytes(rows)
        variants = [
            b"\xef\xbb\xbf" + content,
            content.replace(b"\r\n", b"\n"),
            csv_bytes(rows, encoding="cp1252"),
            csv_bytes([{k: f"{v}  " for k, v in r.items()} for r in rows]),
        ]
        first = import_pupils(school=demo.acorn, content=variants[0], actor=None)
        assert first.summary() == "2 created, 0 updated, 0 unchanged"
        for content in variants[1:]:
            assert import_pupils(school=demo.acorn, content=content, actor=None).summary() == (
                "0 created, 0 updated, 2 unchanged"
            )
    pupils = pupils_of(demo.acorn)
    assert pupils[upn(1)].legal_surname == "Brontë" and pupils[upn(2)].legal_forename == "Zoé"


def test_aliased_headings_import(demo) -> None:
    header = ["Surname", "Forename", "Date of Birth", "Sex", "NC Year", "Form", "Free School Meals", "PP", "CLA", "UPN"]
    cells = {"Surname": "Ng", "Forename": "Li", "Date of Birth": "01/01/2016", "Sex": "Male", "NC Year": "5"}
    cells |= {"Form": "5C", "Free School Meals": "Yes", "PP": "0", "CLA": "True", "UPN": upn(1)}
    run(demo.acorn, [cells], header=header)
    p = pupils_of(demo.acorn)[upn(1)]
    assert (p.legal_surname, p.gender, p.year_group, p.reg_group, p.fsm, p.pupil_premium, p.looked_after) == (
        "Ng",
        "M",
        "5",
        "5C",
        True,
        False,
        True,
    )


# ---------------------------------------------------------------------------------------- leavers and audit


def test_full_import_lists_missing_pupils_as_possible_leavers_and_deletes_nobody(demo) -> None:
    run(demo.acorn, [row(n) for n in range(1, 5)])
    already = make_pupil(demo.acorn, possible_leaver_since=date(2025, 1, 6))
    left = make_pupil(demo.acorn, leaving_date=date(2025, 7, 18))
    elsewhere = make_pupil(demo.beech)
    # Row 4 is bad but its UPN is there: a typo elsewhere in the row must not make a leaver.
    plan = run(demo.acorn, [row(1), row(2), row(4, DOB="nonsense")], full=True)
    assert plan.summary() == "0 created, 0 updated, 2 unchanged; 1 row not imported; 2 possible leavers"
    assert [p.upn for p in plan.new_leavers] == [upn(3)]
    pupils = pupils_of(demo.acorn)
    assert len(pupils) == 6
    assert pupils[upn(3)].possible_leaver_since == TODAY
    assert pupils[already.upn].possible_leaver_since == date(2025, 1, 6)
    assert pupils[left.upn].possible_leaver_since is None
    assert pupils[upn(4)].possible_leaver_since is None
    assert pupils_of(demo.beech)[elsewhere.upn].possible_leaver_since is None
    # A second identical full import changes nothing, and keeps the first date.
    assert run(demo.acorn, [row(1), row(2), row(4, DOB="nonsense")], full=True).summary() == (
        "0 created, 0 updated, 2 unchanged; 1 row not imported; 2 possible leavers"
    )


def test_import_that_is_not_full_lists_no_leavers(demo) -> None:
    run(demo.acorn, [row(1), row(2)])
    assert run(demo.acorn, [row(1)]).new_leavers == []
    assert pupils_of(demo.acorn)[upn(2)].possible_leaver_since is None


def test_possible_leaver_listed_again_is_taken_off_the_list(demo) -> None:
    make_pupil(demo.acorn, upn=upn(1), possible_leaver_since=date(2025, 1, 6))
    plan = run(demo.acorn, [row(1)])
    assert "No longer a possible leaver" in plan.updated[0].changes
    assert pupils_of(demo.acorn)[upn(1)].possible_leaver_since is None


def test_most_of_the_school_missing_from_a_full_file_is_warned_about(demo) -> None:
    run(demo.acorn, [row(n) for n in range(1, 31)])
    with scope(trust=demo.oak.pk):
        plan = plan_pupil_import(school=demo.acorn, content=csv_bytes([row(1)]), full=True)
    assert plan.leaver_warning.startswith("29 of the 30 pupils on roll at Acorn Primary are not in this file.")


def test_confirming_a_leaver_sets_the_leaving_date_and_is_audited(oak_scope) -> None:
    pupil = make_pupil(oak_scope.acorn, possible_leaver_since=TODAY, admission_date=date(2021, 9, 1))
    actor = oak_scope.user("senco.acorn@oak.test")
    importing.confirm_leaver(pupil=pupil, leaving_date=TODAY - timedelta(days=3), actor=actor)
    pupil.refresh_from_db()
    assert (pupil.leaving_date, pupil.possible_leaver_since) == (TODAY - timedelta(days=3), None)
    entry = AuditEntry.objects.get(pupil_id=pupil.pk)
    assert entry.actor == actor and "Confirmed as a leaver" in entry.summary


@pytest.mark.parametrize(
    ("day", "message"),
    [(TODAY + timedelta(days=1), "cannot be in the future"), (date(2021, 8, 31), "before the pupil joined")],
)
def test_impossible_leaving_dates_are_refused(oak_scope, day, message) -> None:
    from django.core.exceptions import ValidationError

    pupil = make_pupil(oak_scope.acorn, possible_leaver_since=TODAY, admission_date=date(2021, 9, 1))
    with pytest.raises(ValidationError, match=message):
        importing.confirm_leaver(pupil=pupil, leaving_date=day, actor=None)
    pupil.refresh_from_db()
    assert pupil.leaving_date is None and pupil.possible_leaver_since == TODAY


def test_keeping_a_pupil_on_roll_clears_the_flag(oak_scope) -> None:
    pupil = make_pupil(oak_scope.acorn, possible_leaver_since=TODAY)
    importing.keep_on_roll(pupil=pupil, actor=None)
    pupil.refresh_from_db()
    assert pupil.possible_leaver_since is None and pupil.leaving_date is None
    assert list(importing.possible_leavers(school=oak_scope.acorn)) == []


def test_each_import_is_audited_with_its_counts(demo) -> None:
    with scope(trust=demo.oak.pk):
        import_pupils(
            school=demo.acorn,
            content=csv_bytes([row(1), row(2, DOB="")]),
            full=True,
            actor=demo.user("senco.acorn@oak.test"),
            source="sims.csv",
        )
        entry = AuditEntry.objects.get(object_type="trusts.School")
    assert entry.school_id == demo.acorn.pk and entry.actor_name == "Priya Sharma"
    assert entry.summary == (
        "Pupils imported (full) from sims.csv: 1 created, 0 updated, 0 unchanged; 1 row not imported; "
        "0 possible leavers"
    )


def test_problem_reads_as_row_and_column() -> None:
    assert str(Problem(4, "DOB", "Bad.")) == "Row 4, DOB: Bad."
    assert str(Problem(4, "", "Bad.")) == "Row 4: Bad."


# ---------------------------------------------------------------------------------------- size


def test_five_thousand_rows_import_in_seconds_with_bulk_queries(demo) -> None:
    rows = [row(n, Year=str(1 + n % 6)) for n in range(5000)]
    with scope(trust=demo.oak.pk), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        plan = import_pupils(school=demo.acorn, content=csv_bytes(rows), full=True, actor=None)
        elapsed = time.perf_counter() - started
    assert plan.summary() == "5000 created, 0 updated, 0 unchanged; 0 possible leavers"
    assert elapsed < 15, f"5,000 rows took {elapsed:.1f} s"
    assert len(queries) < 200  # bulk inserts in batches, never a query per row
    for n in (0, 2500):
        rows[n] = row(n, Year="Year 7")
    with scope(trust=demo.oak.pk), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        plan = import_pupils(school=demo.acorn, content=csv_bytes(rows), full=True, actor=None)
        elapsed = time.perf_counter() - started
    assert plan.summary() == "0 created, 2 updated, 4998 unchanged; 0 possible leavers"
    assert elapsed < 15, f"re-importing 5,000 rows took {elapsed:.1f} s"
    assert len(queries) < 20
