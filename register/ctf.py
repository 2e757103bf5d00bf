"""The common transfer file (CTF): the SEN part of a pupil's record, sent when they leave the trust and read
when they arrive from a school outside it.

Which schema: the DfE "Common transfer file" XML, CTF 25.0 (the 2025 to 2026 schema as published). Root
``CTfile``; ``Header`` with ``DocumentName``, ``CTFversion``, ``DateTime``, ``DocumentQualifier``,
``SupplierID``, ``SourceSchool{LEA, Estab, SchoolName, AcademicYear}`` and ``DestSchool{LEA, Estab}``; then
``CTFpupilData/Pupil`` with ``UPN``, ``Surname``, ``Forename``, ``DOB``, ``Sex`` (called ``Gender`` before
the schema renamed it; both are read), ``BasicDetails/NCyearActual``, and ``SENhistory`` holding
``SEN{StartDate, SENprovision}`` and ``SENneeds{SENneed{SENtypeRank, SENtype}}``.

Only the pupil's identity and their SEN part are written and read: the MIS sends the rest of the CTF
(attendance, assessments, contacts), so the file says ``DocumentQualifier`` ``partial``. The SEN history is
register's, so this module lives here; the SEN file pack (plans, reviews, documents) is rendered by
``reports``.

Hostile XML is refused before anything is read: defusedxml forbids a DTD, entities (billion laughs) and
external references, and the file is limited in size; every problem raises ``ValidationError`` with a plain
message, and the import writes nothing unless every check passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pupils.models import Gender, Pupil, YearGroup
from pupils.upn import InvalidUPN, validate_upn
from trusts import audit
from trusts.dates import academic_year_of
from trusts.hooks import Hooks
from trusts.models import School, User
from trusts.permissions import can

from .models import NeedType, RegisterChange, RegisterEntry, SenStatus
from .services import EHC_PLAN_CHECKS

CTF_VERSION = "25.0"
SUPPLIER_ID = "SEND casework"
MAX_CTF_BYTES = 5 * 1024 * 1024
# Monitoring is a school list, not a census code: a monitored pupil is N in the file.
PROVISION_OUT = {SenStatus.NONE: "N", SenStatus.MONITORING: "N", SenStatus.SEN_SUPPORT: "K", SenStatus.EHC_PLAN: "E"}
# Files from older systems still carry the pre-2014 codes: School Action (A) and School Action Plus (P)
# became SEN support (K); a statement (S) became an EHC plan (E) (SEND Code of Practice 2015, transition).
PROVISION_IN = {"N": SenStatus.NONE, "K": SenStatus.SEN_SUPPORT, "E": SenStatus.EHC_PLAN}
LEGACY_PROVISION = {"A": SenStatus.SEN_SUPPORT, "P": SenStatus.SEN_SUPPORT, "S": SenStatus.EHC_PLAN}

# When a CTF is sent for a leaver, C1 (records to the new school in 15 school days) is met. register cannot
# import ehcp, so ehcp answers: (pupil=, sent_on=, actor=) -> None.
CTF_SENT_HOOKS: Hooks[Callable[..., object]] = Hooks(
    "register.ctf.CTF_SENT_HOOKS",
    rule="sending the common transfer file of a pupil on the SEN register meets C1",
    filled_by="ehcp",
)


@dataclass(frozen=True)
class CtfPupil:
    """What a CTF says about one pupil: its header, their identity and their SEN part."""

    source_la: str
    source_estab: str
    source_name: str
    dest_la: str
    dest_estab: str
    upn: str
    surname: str
    forename: str
    date_of_birth: date | None
    gender: str
    year_group: str
    sen: list[tuple[date, str]] = field(default_factory=list)  # (StartDate, SenStatus), oldest first
    needs: list[tuple[int, str]] = field(default_factory=list)  # (SENtypeRank, NeedType), by rank
    legacy_codes: bool = False

    @property
    def source(self) -> str:
        return f"{self.source_name or 'the last school'} ({self.source_la}/{self.source_estab})"

    @property
    def last_status(self) -> str:
        return self.sen[-1][1] if self.sen else SenStatus.NONE


# Export ---------------------------------------------------------------------------------------------------


def _text(parent: Element, tag: str, value: str) -> Element:
    child = SubElement(parent, tag)
    child.text = value
    return child


def sen_history_out(pupil: Pupil) -> list[tuple[date, str]]:
    """The register's history as CTF SEN items: each change of census provision (N, K, E), oldest first.

    A change that leaves the provision code as it was (monitoring to not on the register, a change of need)
    is not a new SEN item."""
    items: list[tuple[date, str]] = []
    changes = RegisterChange.objects.filter(pupil=pupil).order_by("effective_date", "id")
    for change in changes:
        code = PROVISION_OUT[SenStatus(change.to_status)]
        if not items or items[-1][1] != code:
            items.append((change.effective_date, code))
    entry = RegisterEntry.objects.filter(pupil=pupil).first()
    if not items and entry is not None:
        items.append((entry.since, PROVISION_OUT[SenStatus(entry.status)]))
    return items


def check_destination(*, pupil: Pupil, destination_la: str, destination_estab: str) -> list[str]:
    problems = []
    if not (len(destination_la) == 3 and destination_la.isdigit()):
        problems.append("Enter the new school's LA code: 3 digits, for example 873.")
    if not (len(destination_estab) == 4 and destination_estab.isdigit()):
        problems.append("Enter the new school's establishment number: 4 digits, for example 2001.")
    if not problems:
        same_trust = School.objects.filter(
            trust_id=pupil.trust_id, la_code=destination_la, establishment_number=destination_estab
        ).first()
        if same_trust is not None:
            problems.append(
                f"{destination_la}/{destination_estab} is {same_trust.name}, a school of this trust: "
                "record a move instead, so their casework moves with them."
            )
    return problems


def build_ctf(*, pupil: Pupil, destination_la: str, destination_estab: str, actor: User | None) -> bytes:
    """The pupil's CTF (identity and SEN part) for a school outside the trust, as XML bytes.

    Writes nothing; raises ValidationError for a destination that is not an LA code and establishment
    number, a school of this trust, or an actor who may not change this pupil's register."""
    if actor is not None and not can(actor, "register.change", pupil):
        raise ValidationError("You cannot send this pupil's common transfer file.")
    problems = check_destination(pupil=pupil, destination_la=destination_la, destination_estab=destination_estab)
    if problems:
        raise ValidationError(problems)
    school = pupil.school
    now = timezone.localtime()
    root = Element("CTfile")
    header = SubElement(root, "Header")
    _text(header, "DocumentName", "Common Transfer File")
    _text(header, "CTFversion", CTF_VERSION)
    _text(header, "DateTime", now.strftime("%Y-%m-%dT%H:%M:%S"))
    _text(header, "DocumentQualifier", "partial")
    _text(header, "SupplierID", SUPPLIER_ID)
    source = SubElement(header, "SourceSchool")
    _text(source, "LEA", school.la_code)
    _text(source, "Estab", school.establishment_number)
    _text(source, "SchoolName", school.name)
    _text(source, "AcademicYear", str(academic_year_of(now.date())))
    dest = SubElement(header, "DestSchool")
    _text(dest, "LEA", destination_la)
    _text(dest, "Estab", destination_estab)
    data = SubElement(root, "CTFpupilData")
    node = SubElement(data, "Pupil")
    _text(node, "UPN", pupil.upn)
    _text(node, "Surname", pupil.legal_surname)
    _text(node, "Forename", pupil.legal_forename)
    _text(node, "DOB", pupil.date_of_birth.isoformat())
    _text(node, "Sex", pupil.gender)
    basic = SubElement(node, "BasicDetails")
    _text(basic, "NCyearActual", pupil.year_group)
    history = SubElement(node, "SENhistory")
    for start, code in sen_history_out(pupil):
        sen = SubElement(history, "SEN")
        _text(sen, "StartDate", start.isoformat())
        _text(sen, "SENprovision", code)
    entry = RegisterEntry.objects.filter(pupil=pupil).first()
    ranked = [n for n in (entry.primary_need, entry.secondary_need) if n] if entry else []
    if ranked and entry is not None and entry.status in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN):
        needs = SubElement(history, "SENneeds")
        for rank, need in enumerate(ranked, start=1):
            item = SubElement(needs, "SENneed")
            _text(item, "SENtypeRank", str(rank))
            _text(item, "SENtype", need)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").encode("utf-8")


@transaction.atomic
def record_ctf_sent(*, pupil: Pupil, destination_la: str, destination_estab: str, actor: User) -> bytes:
    """Send a leaver's CTF: build it, audit the export and meet C1 (through CTF_SENT_HOOKS, filled by ehcp).

    Only for a pupil who has left or is marked as leaving (a pupil on roll has nowhere to be sent)."""
    if pupil.leaving_date is None and pupil.possible_leaver_since is None:
        raise ValidationError(
            "Record that the pupil is leaving (their leaving date, from the MIS) before sending their "
            "common transfer file."
        )
    xml = build_ctf(pupil=pupil, destination_la=destination_la, destination_estab=destination_estab, actor=actor)
    audit.record(
        actor=actor,
        action=audit.Action.EXPORT,
        obj=pupil,
        pupil_id=pupil.pk,
        summary=f"Common transfer file sent to {destination_la}/{destination_estab}",
    )
    for hook in CTF_SENT_HOOKS:
        hook(pupil=pupil, sent_on=timezone.localdate(), actor=actor)
    return xml


# Import ---------------------------------------------------------------------------------------------------


def _find(node: Element | None, path: str) -> str:
    found = node.find(path) if node is not None else None
    return (found.text or "").strip() if found is not None else ""


def _xml_date(value: str, what: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{what} is '{value}', which is not a date (the CTF writes dates as 2024-09-01).")
        return None


def _parse(data: bytes) -> Element:
    if not data:
        raise ValidationError("The file is empty. Choose the CTF (an .xml file) the last school sent.")
    if len(data) > MAX_CTF_BYTES:
        raise ValidationError("The file is larger than 5 MB; a CTF for one pupil is far smaller. Check the file.")
    try:
        root: Element = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ValidationError(
            "The file declares a DTD, entities or external references, which a CTF never has: it was refused "
            "unread. Ask the last school to send the CTF again from their MIS."
        ) from None
    except (ParseError, ValueError) as exc:
        raise ValidationError(
            f"The file is not well-formed XML ({exc}). Check it is the CTF, not another file."
        ) from None
    if root.tag != "CTfile":
        raise ValidationError(
            f"This XML file is not a common transfer file: it starts with <{root.tag}>, not <CTfile>."
        )
    return root


def read_ctf(data: bytes) -> CtfPupil:
    """Parse a CTF for one pupil. Raises ValidationError listing every problem (nothing is written here)."""
    root = _parse(data)
    header = root.find("Header")
    pupils = root.findall("CTFpupilData/Pupil")
    if len(pupils) != 1:
        raise ValidationError(
            f"This CTF holds {len(pupils)} pupils; import the CTF of one pupil at a time."
            if pupils
            else "This CTF holds no pupil (no CTFpupilData/Pupil)."
        )
    node = pupils[0]
    problems: list[str] = []
    if header is None:
        problems.append("The CTF has no Header, so it cannot say which school it is for.")
    dob_text = _find(node, "DOB")
    dob = _xml_date(dob_text, "The date of birth", problems) if dob_text else None
    gender = _find(node, "Sex") or _find(node, "Gender")
    year = _find(node, "BasicDetails/NCyearActual") or _find(node, "NCyearActual")
    sen: list[tuple[date, str]] = []
    legacy = False
    for item in node.findall("SENhistory/SEN"):
        start = _xml_date(_find(item, "StartDate"), "A StartDate in SENhistory", problems)
        code = _find(item, "SENprovision").upper()
        status = PROVISION_IN.get(code) or LEGACY_PROVISION.get(code)
        legacy = legacy or code in LEGACY_PROVISION
        if status is None:
            problems.append(f"SENprovision '{code}' is not a code the CTF uses (N, K or E).")
        elif start is not None:
            sen.append((start, status))
    needs: list[tuple[int, str]] = []
    for item in node.findall("SENhistory/SENneeds/SENneed"):
        rank, code = _find(item, "SENtypeRank"), _find(item, "SENtype").upper()
        if not rank.isdigit():
            problems.append(f"SENtypeRank '{rank}' is not a number.")
        elif code not in NeedType.values:
            problems.append(f"SENtype '{code}' is not a census type-of-need code.")
        else:
            needs.append((int(rank), code))
    if problems:
        raise ValidationError(problems)
    return CtfPupil(
        source_la=_find(header, "SourceSchool/LEA"),
        source_estab=_find(header, "SourceSchool/Estab"),
        source_name=_find(header, "SourceSchool/SchoolName"),
        dest_la=_find(header, "DestSchool/LEA"),
        dest_estab=_find(header, "DestSchool/Estab"),
        upn=_find(node, "UPN").upper(),
        surname=_find(node, "Surname"),
        forename=_find(node, "Forename"),
        date_of_birth=dob,
        gender=gender.upper(),
        year_group=year.upper().lstrip("0") if year.isdigit() else year.upper(),
        sen=sorted(sen),
        needs=sorted(needs),
        legacy_codes=legacy,
    )


@dataclass(frozen=True)
class CtfPreview:
    """What importing would do: the file, the pupil it joins (None: a new pupil), problems and notes."""

    ctf: CtfPupil
    existing: Pupil | None
    problems: list[str]
    notes: list[str]
    current_status: str


def preview_ctf(*, school: School, data: bytes) -> CtfPreview:
    """Read the CTF and check it against this school. Writes nothing; ValidationError for a file unread."""
    ctf = read_ctf(data)
    problems: list[str] = []
    notes: list[str] = []
    if (ctf.dest_la, ctf.dest_estab) != (school.la_code, school.establishment_number):
        problems.append(
            f"This CTF is for {ctf.dest_la or '?'}/{ctf.dest_estab or '?'}, not {school.name} "
            f"({school.la_code}/{school.establishment_number}). Check you chose the right school and file."
        )
    try:
        validate_upn(ctf.upn)
    except InvalidUPN as exc:
        problems.append(str(exc))
    existing = Pupil.objects.filter(upn=ctf.upn).select_related("school").first() if ctf.upn else None
    if existing is not None:
        if existing.school_id != school.pk:
            if existing.on_roll:
                problems.append(
                    f"{existing.display_name} (UPN {ctf.upn}) is already on roll at {existing.school.name}, a "
                    "school of this trust: record a move there instead of importing a CTF."
                )
            else:
                problems.append(
                    f"UPN {ctf.upn} is {existing.display_name}, who left {existing.school.name}: their record is "
                    "still held by the trust. Ask the data protection lead before importing a second history."
                )
        elif RegisterChange.objects.filter(pupil=existing).exists():
            problems.append(
                f"{existing.display_name} already has a register history here: a CTF's SEN part is only imported "
                "once, when the pupil arrives."
            )
    else:
        for value, what in ((ctf.surname, "Surname"), (ctf.forename, "Forename")):
            if not value:
                problems.append(f"The CTF has no {what}: a new pupil needs one.")
        if ctf.date_of_birth is None:
            problems.append("The CTF has no date of birth (DOB): a new pupil needs one.")
        if ctf.gender not in Gender.values:
            problems.append(f"Sex '{ctf.gender}' is not a census code (F or M).")
        if ctf.year_group not in YearGroup.values:
            problems.append(f"NCyearActual '{ctf.year_group}' is not a national curriculum year (N1 to 14).")
    if not ctf.sen:
        problems.append("The CTF has no SEN history (SENhistory/SEN): there is nothing to import.")
    current = ctf.last_status
    if current == SenStatus.EHC_PLAN and not (existing and any(check(existing) for check in EHC_PLAN_CHECKS)):
        current = SenStatus.SEN_SUPPORT
        notes.append(
            f"{ctf.source} recorded an EHC plan (E). It stays in the history as theirs; here the pupil is on SEN "
            "support (K) until the plan is recorded in the EHC section, then change the register to E."
        )
    if current == SenStatus.SEN_SUPPORT and not ctf.needs:
        notes.append("The CTF gives no type of need: choose the primary need on the register after importing.")
    if ctf.legacy_codes:
        notes.append("The file uses pre-2014 codes: School Action and School Action Plus read as K, a statement as E.")
    return CtfPreview(ctf=ctf, existing=existing, problems=problems, notes=notes, current_status=current)


@transaction.atomic
def import_ctf_sen(*, school: School, data: bytes, actor: User) -> Pupil:
    """Import the SEN part of an arriving pupil's CTF: create the pupil if the MIS has not, and start their
    register history with what the last school knew (each SEN item a RegisterChange dated with its
    StartDate; the needs ranked 1 and 2 as primary and secondary).

    An E from the last school stays in the history as theirs, but register's rule holds here: E needs an
    issued plan on record, so without one the pupil is K (a change dated today says why). Raises
    ValidationError listing every problem; nothing is written then."""
    if not can(actor, "register.change", school):
        raise ValidationError("You cannot change the SEN register at this school.")
    preview = preview_ctf(school=school, data=data)
    if preview.problems:
        raise ValidationError(preview.problems)
    ctf = preview.ctf
    pupil = preview.existing
    if pupil is None:
        assert ctf.date_of_birth is not None
        pupil = Pupil.objects.create(
            trust_id=school.trust_id,
            school=school,
            upn=ctf.upn,
            legal_surname=ctf.surname,
            legal_forename=ctf.forename,
            date_of_birth=ctf.date_of_birth,
            gender=ctf.gender,
            year_group=ctf.year_group,
        )
    needs = [code for _, code in ctf.needs][:2]
    primary, secondary = (needs + ["", ""])[:2]
    previous: str = SenStatus.NONE
    rows = []
    for i, (start, status) in enumerate(ctf.sen):
        last = i == len(ctf.sen) - 1
        on_register = status in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN)
        rows.append(
            RegisterChange(
                trust_id=school.trust_id,
                school=school,
                pupil=pupil,
                from_status=previous,
                to_status=status,
                effective_date=start,
                reason=f"From the common transfer file of {ctf.source}: {SenStatus(status).label}.",
                primary_need=primary if last and on_register else "",
                secondary_need=secondary if last and on_register else "",
                changed_by=actor,
            )
        )
        previous = status
    today = timezone.localdate()
    since = ctf.sen[-1][0]
    if preview.current_status != previous:
        rows.append(
            RegisterChange(
                trust_id=school.trust_id,
                school=school,
                pupil=pupil,
                from_status=previous,
                to_status=preview.current_status,
                effective_date=max(today, since),
                reason="Recorded here as SEN support until the EHC plan is recorded in the EHC section: a pupil is E "
                "only with an issued plan on record.",
                primary_need=primary,
                secondary_need=secondary,
                changed_by=actor,
            )
        )
        since = max(today, since)
    RegisterChange.objects.bulk_create(rows)
    on_register = preview.current_status in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN)
    RegisterEntry.objects.update_or_create(
        pupil=pupil,
        defaults={
            "trust_id": school.trust_id,
            "school": school,
            "status": preview.current_status,
            "since": since,
            "primary_need": primary if on_register else "",
            "secondary_need": secondary if on_register else "",
        },
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=pupil,
        pupil_id=pupil.pk,
        summary=f"SEN history imported from the common transfer file of {ctf.source}",
    )
    return pupil
