"""`import_pupils` and `import_groups`: find the school by URN, work in its trust, report every problem."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scope, scopes_disabled

from pupils.management.commands.import_pupils import Command as ImportPupils
from pupils.models import GroupMember, Pupil
from pupils.upn import make_upn
from tests.factories import make_pupil

pytestmark = pytest.mark.django_db
HEADER = "UPN,Legal Surname,Legal Forename,DOB,Gender,Year"


def upn(n: int) -> str:
    return make_upn(893, 2101, 21, n)


def pupils_file(tmp_path: Path, *lines: str, name: str = "pupils.csv") -> str:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8-sig"))
    return str(path)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def acorn_upns() -> set[str]:
    with scopes_disabled():
        return set(Pupil.objects.filter(school__urn="141001").values_list("upn", flat=True))


def test_import_pupils_prints_counts_and_every_problem_by_row(demo, tmp_path) -> None:
    file = pupils_file(
        tmp_path,
        f"{upn(1)},Smith,Ava,14/03/2017,F,4",
        f"{upn(2)},Jones,Bo,31/02/2017,M,4",
        f"{upn(3)},Khan,Ida,2017-05-01,F,Reception",
    )
    out = run("import_pupils", "--school", "141001", file)
    assert "Row 3, DOB: '31/02/2017' is not a real date: check the day and the month." in out
    assert "2 created, 0 updated, 0 unchanged; 1 row not imported." in out
    assert acorn_upns() == {upn(1), upn(3)}
    again = run("import_pupils", "--school", "141001", file)
    assert "0 created, 0 updated, 2 unchanged; 1 row not imported." in again


def test_full_flag_lists_leavers_and_dry_run_saves_nothing(demo, tmp_path) -> None:
    stays = make_pupil(demo.acorn, upn=upn(1), legal_surname="Smith", legal_forename="Ava")
    goes = make_pupil(demo.acorn)
    file = pupils_file(tmp_path, f"{upn(1)},Smith,Ava,14/03/2017,F,4")
    dry = run("import_pupils", "--school", "141001", "--full", "--dry-run", file)
    assert dry.strip().endswith(
        "Dry run, nothing saved. " + file + " into Acorn Primary (141001): "
        "0 created, 0 updated, 1 unchanged; 1 possible leaver."
    )
    with scopes_disabled():
        assert Pupil.objects.get(pk=goes.pk).possible_leaver_since is None
    out = run("import_pupils", "--school", "141001", "--full", file)
    assert "0 created, 0 updated, 1 unchanged; 1 possible leaver." in out
    with scopes_disabled():
        assert Pupil.objects.get(pk=goes.pk).possible_leaver_since is not None
        assert Pupil.objects.get(pk=stays.pk).possible_leaver_since is None


def test_unknown_urn_is_a_clear_error(demo, tmp_path) -> None:
    file = pupils_file(tmp_path, f"{upn(1)},Smith,Ava,14/03/2017,F,4")
    with pytest.raises(CommandError, match="No school has URN 999999"):
        run("import_pupils", "--school", "999999", file)
    with pytest.raises(CommandError, match="'14100' is not a URN: a URN is 6 digits"):
        run("import_groups", "--school", "14100", file)


@pytest.mark.parametrize("command", ["import_pupils", "import_groups"])
def test_unreadable_file_is_a_clear_error(demo, tmp_path, command) -> None:
    with pytest.raises(CommandError, match="Cannot read .*missing.csv: there is no such file."):
        run(command, "--school", "141001", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="it is a folder, not a file"):
        run(command, "--school", "141001", str(tmp_path))


def test_file_that_is_not_a_pupils_csv_is_a_clear_error(demo, tmp_path) -> None:
    path = tmp_path / "pupils.xlsx"
    path.write_bytes(b"PK\x03\x04 a workbook")
    with pytest.raises(CommandError, match="This is an Excel workbook"):
        run("import_pupils", "--school", "141001", str(path))
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="The file is empty"):
        run("import_pupils", "--school", "141001", str(path))
    assert acorn_upns() == set()


def test_command_line_exits_non_zero_with_the_message(demo, tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as excinfo:
        ImportPupils().run_from_argv(["manage.py", "import_pupils", "--school", "999999", str(tmp_path / "x.csv")])
    assert excinfo.value.code == 1
    assert "No school has URN 999999" in capsys.readouterr().err


def test_import_groups_links_pupils_and_reports_bad_rows(demo, tmp_path) -> None:
    pupil = make_pupil(demo.acorn)
    path = tmp_path / "groups.csv"
    path.write_text(f"UPN,Group,Teacher Email\n{pupil.upn},4B,teacher.acorn@oak.test\n{upn(9)},4B,\n")
    out = run("import_groups", "--school", "141001", str(path))
    assert f"Row 3, UPN: No pupil of Acorn Primary has UPN {upn(9)}: import the pupils file first." in out
    assert "1 created, 0 updated, 0 unchanged; 1 row not imported; 1 new group" in out
    with scope(trust=demo.oak.pk):
        assert GroupMember.objects.filter(pupil=pupil, group__name="4B").exists()


def test_command_works_in_the_school_trust_only(demo, tmp_path) -> None:
    file = pupils_file(tmp_path, f"{make_upn(885, 2203, 21, 1)},Smith,Ava,14/03/2017,F,4")
    run("import_pupils", "--school", "142003", file)
    with scopes_disabled():
        pupil = Pupil.objects.get()
    assert pupil.school_id == demo.willow.pk and pupil.trust_id == demo.river.pk
