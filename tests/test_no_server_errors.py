"""No 500s: every URL of the product, as every demo role, with junk ids, junk query parameters and junk forms.

For each URL pattern (the same list as tests/test_permission_matrix.py) and each role of
tests/permission_cases/base.py, with real ids from the permission cases' builders:

- one GET with a junk value (0, 2**62, 2**64; nonsense for a token or slug) in place of one kwarg;
- one GET with one set of junk query parameters (the names the views read from `request.GET`);
- for views that take POST, a POST of junk in every field of the page's form (and junk query parameters),
  and an empty POST from the roles that reach the page (the permission matrix proves the others get 404).

The junk is sampled, not exhausted: which kwarg, which junk id and which parameter set rotate with the role,
so each URL sees every set across the roles while the file stays fast. A bad id must answer 404 and a bad
parameter must be ignored or explained; nothing may answer 500. Every failure is listed in one message.
"""

from __future__ import annotations

import functools
import inspect
import re
import zlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests.factories import pupil_at
from tests.permission_cases.base import EVERYONE
from tests.test_permission_matrix import CASES, COVERED_ELSEWHERE, _project_url_names

pytestmark = pytest.mark.django_db

Builder = Callable[[Any, str], dict[str, Any]]  # (demo, email) -> URL kwargs with real ids

# Every name the views read from request.GET (grep `request.GET` and the filter forms bound to it), plus a
# few that attackers try anyway. Three sets: only the second has the ids that rightly answer 404 (school,
# pupil, assessment, version), so with the others the remaining parameters reach the page.
JUNK_PARAMS: list[dict[str, Any]] = [
    {
        "page": "abc",
        "year": "-1",
        "status": "\x00",
        "sort": "<script>alert(1)</script>",
        "desc": "maybe",
        "need": "ZZZ",
        "group": "abc",
        "flags": ["nope", "eal"],
        "rule": "<script>",
        "responsible": "\x00",
        "due_from": "2026-02-31",
        "due_to": "yesterday",
        "area": "x",
        "wave": "9",
        "show": "../../etc/passwd",
        "q": "' OR 1=1 --",
        "next": "https://evil.example/",
    },
    {
        "page": str(2**64),
        "school": ["xyz", str(2**62)],
        "pupil": "²",
        "assessment": "abc",
        "version": "abc",
        "year": "R\x00",
        "status": "' OR 1=1",
        "sort": "-pk",
        "desc": "\x00",
        "group": str(2**64),
        "wave": "abc",
        "due_from": "0000-00-00",
        "due_to": "9999-99-99",
        "show": "ceased\x00",
        "q": "\x00",
    },
    {
        "page": "-1",
        "year": "99",
        "status": "",
        "sort": "",
        "need": "",
        "group": "1.5",
        "flags": "",
        "due_from": "2026-13-01",
        "due_to": "",
        "area": "\x00",
        "wave": "-1",
        "show": "",
        "q": "%",
    },
]
JUNK_IDS = [0, 2**62, 2**64]  # the int converter takes digits only, so no negative can be in a URL
JUNK_TEXT = {"slug": "no-such-thing", "str": "x'<script>", "path": "../x"}
# Junk for a form field by its input type: what gets past a lax form and breaks a service or the database
# (a number too big for a column, a date at the end of the calendar that a deadline is counted from).
JUNK_BY_TYPE: dict[str, list[str]] = {
    "number": [str(2**64), "-1", "1e400", "NaN", "abc", "99999999999", "0.000001"],
    "date": ["9999-12-31", "0001-01-01", "2026-02-31", "abc", "31/12/9999"],
    "email": ["not-an-email", "a@b", "x" * 300 + "@example.org"],
    "select": ["\x00", str(2**64), "-1", "abc"],
    "checkbox": ["abc", "on", "\x00"],
    "hidden": [str(2**64), "abc", "-1", "\x00"],
    "url": ["javascript:alert(1)", "http://", "ftp://example.org"],
    "text": ["x" * 3000, "<script>alert(1)</script>", "' OR 1=1 --", "\x00", "²", "   "],
}
JUNK_BY_TYPE["radio"] = JUNK_BY_TYPE["select"]
# Names some views read from request.POST without a form on the page (grep `request.POST.get`).
POST_NAMES = ["action", "next", "school", "pupil", "decision", "confirm"]
# Casework roles get three different parameter sets between them; so do the others.
PARAM_SET_FOR_ROLE = {
    "lead@oak.test": 0,
    "head.acorn@oak.test": 1,
    "senco.acorn@oak.test": 2,
    "teacher.acorn@oak.test": 0,
    "ta.acorn@oak.test": 1,
    "trustee@oak.test": 2,
    "governor.acorn@oak.test": 0,
    "parent.acorn@oak.test": 1,
}


# Builders for the URLs the permission matrix covers elsewhere --------------------------------------------


def _notification(demo: Any, email: str) -> dict[str, Any]:
    from trusts import services

    user = demo.user(email)
    with scope(trust=user.trust_id):
        return {"pk": services.notify(recipient=user, kind="k", text="Look at this", link="/").pk}


def _calendar_feed(demo: Any, email: str) -> dict[str, Any]:
    from ehcp import services

    return {"token": services.create_calendar_token(user=demo.user(email))}


def _contact(demo: Any, email: str) -> dict[str, Any]:
    from pupils.models import Contact

    pupil = pupil_at(demo, demo.acorn)
    with scopes_disabled():
        contact = Contact.objects.create(
            trust_id=pupil.trust_id, pupil=pupil, name="Jo Ellis", relationship="mother", email="jo@home.test"
        )
    return {"pupil_id": pupil.pk, "contact_id": contact.pk}


def _board_report(demo: Any, email: str) -> dict[str, Any]:
    from reports.models import BoardReport

    today = timezone.localdate()
    with scope(trust=demo.oak.pk):
        report = BoardReport.objects.create(
            trust=demo.oak, requested_by=demo.user("trustee@oak.test"), period_start=today, period_end=today
        )
    return {"pk": report.pk}


def _portal_document(demo: Any, email: str) -> dict[str, Any]:
    from pupils.models import Document
    from tests.permission_cases.documents import make_document

    document = make_document(pupil_at(demo, demo.acorn), visibility=Document.Visibility.PARENTS)
    return {"pk": document.pupil_id, "document_id": document.pk}


def _portal_review(demo: Any, email: str) -> dict[str, Any]:
    from tests.pupils.test_large_print import completed_review

    review = completed_review(demo)
    return {"pk": review.pupil_id, "review_id": review.pk}


def _subject_access_request(demo: Any) -> Any:
    from tests.permission_cases.data_protection import make_request

    return make_request(demo.acorn)


def _evidence_pupil(demo: Any, email: str) -> dict[str, Any]:
    """A pupil with everything the pack reads: a plan in place, a concern and a meeting with parents."""
    from graduated import services
    from tests.permission_cases.graduated import active_cycle, casework_user

    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        services.record_parent_meeting(
            pupil=cycle.pupil,
            actor=casework_user(demo.acorn),
            held_on=timezone.localdate() - timedelta(days=2),
            attendees="Mother, SENCO",
            agreed_actions="Visual timetable at home",
        )
    return {"pupil_id": cycle.pupil_id}


def _invitation(demo: Any, email: str) -> dict[str, Any]:
    from tests.permission_cases.trusts import _fresh_invitation
    from trusts.invitations import send_invitation
    from trusts.models import Invitation

    with scopes_disabled():
        invitation = Invitation.objects.get(pk=_fresh_invitation(demo, demo.acorn)["pk"])
        return {"token": send_invitation(invitation=invitation)}


EXTRA_BUILDERS: dict[str, Builder] = {
    "trusts:notification_open": _notification,
    "ehcp:calendar_feed": _calendar_feed,
    "ehcp:setting_edit": lambda demo, email: {"rule_id": "A2"},
    "pupils:contact_new": lambda demo, email: {"pupil_id": pupil_at(demo, demo.acorn).pk},
    "pupils:contact_invite": _contact,
    "reports:trust_csv": lambda demo, email: {"table": "schools"},
    "reports:board_report_status": _board_report,
    "reports:board_report_download": _board_report,
    "reports:portal_child": lambda demo, email: {"pk": pupil_at(demo, demo.acorn).pk},
    "reports:portal_document": _portal_document,
    "reports:evidence_pack": _evidence_pupil,
    "reports:sar_export": lambda demo, email: {"pk": _subject_access_request(demo).pk},
    "reports:portal_review_pdf": _portal_review,
    "reports:sen_file_pack": lambda demo, email: {"pupil_id": pupil_at(demo, demo.acorn).pk, "kind": "pdf"},
    "trusts:invitation": _invitation,
    "register:moved_record": lambda demo, email: {"pk": pupil_at(demo, demo.acorn).pk},
}

# Made for the person asking (their own notification, their own calendar address), so made for each role.
PER_ROLE = {"trusts:notification_open", "ehcp:calendar_feed"}


def _builders() -> dict[str, Builder | None]:
    """URL name -> how to get real kwargs at Acorn (None: the URL takes none)."""
    out: dict[str, Builder | None] = {}
    for case in CASES:
        if case.name in out:
            continue
        kwargs = case.kwargs
        out[case.name] = (lambda demo, email, k=kwargs: k(demo, demo.acorn)) if kwargs else None
    for name in COVERED_ELSEWHERE:
        out.setdefault(name, EXTRA_BUILDERS.get(name))
    return out


BUILDERS = _builders()
URL_NAMES = sorted(_project_url_names())
# Who reaches each page at Acorn (the permission matrix proves everyone else gets its 404 first); unknown for
# the pages it covers elsewhere.
REACHES: dict[str, set[str]] = {}
for _case in CASES:
    REACHES.setdefault(_case.name, _case.own)


def test_every_url_pattern_is_crawled() -> None:
    assert set(URL_NAMES) - set(BUILDERS) == set()
    assert set(EXTRA_BUILDERS) <= set(COVERED_ELSEWHERE)


# The crawl ------------------------------------------------------------------------------------------------


def _converters(route: str) -> dict[str, str]:
    return {name: kind or "str" for kind, name in re.findall(r"<(?:(\w+):)?(\w+)>", route)}


def _junk_for(converter: str) -> list[Any]:
    return list(JUNK_IDS) if converter == "int" else [JUNK_TEXT.get(converter) or "x'<script>"]


@functools.cache
def _takes_post(view: Any) -> bool:
    """True when the view allows nothing but POST (`require_POST`), or it or a helper of its module (a shared
    form page) reads a POST."""
    layer = view
    while layer is not None:
        methods = inspect.getclosurevars(layer).nonlocals.get("request_method_list")
        if methods is not None:
            return "POST" in methods
        layer = getattr(layer, "__wrapped__", None)
    func = inspect.unwrap(view)
    helpers = [
        f
        for f in inspect.getclosurevars(func).globals.values()
        if inspect.isfunction(f) and f.__module__ == func.__module__
    ]
    for f in [func, *helpers]:
        source = inspect.getsource(f)
        if "POST" in source or "request.method" in source:
            return True
    return False


_FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.IGNORECASE)


def _form_fields(html: str) -> dict[str, str]:
    """name -> input type of every field of the page's forms (hidden ones too: they are the easiest to forge)."""
    fields: dict[str, str] = {}
    for tag, attrs in _FIELD.findall(html):
        name = re.search(r'\bname="([^"]+)"', attrs)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        kind = re.search(r'\btype="([^"]+)"', attrs)
        if re.search(r'\binputmode="(numeric|decimal)"', attrs):
            fields[name.group(1)] = "number"  # a text box for a score or a rate: numbers as text
        else:
            fields[name.group(1)] = kind.group(1).lower() if tag.lower() == "input" and kind else tag.lower()
    return fields


def _junk_form(fields: dict[str, str], offset: int) -> dict[str, Any]:
    data: dict[str, Any] = {}
    names = list(dict.fromkeys([*fields, *POST_NAMES]))
    for i, name in enumerate(names):
        kind = fields.get(name, "hidden")
        if kind == "file":
            data[name] = SimpleUploadedFile("junk.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
            continue
        values = JUNK_BY_TYPE.get(kind, JUNK_BY_TYPE["text"])
        data[name] = values[(i + offset) % len(values)]
    return data


def _client(demo: Any, email: str) -> Client:
    client = Client(raise_request_exception=False)  # an exception becomes a 500 response we can count
    client.force_login(demo.user(email))
    return client


def _short(params: Any) -> str:
    """The parameters or form of a failing request, long values cut short."""
    if not isinstance(params, dict):
        return str(params)
    return repr({k: f"{v[:20]}…" if isinstance(v, str) and len(v) > 40 else v for k, v in params.items()})


def _describe(response: Any) -> str:
    exc = getattr(response, "exc_info", None)
    return f"{response.status_code} {exc[0].__name__}: {exc[1]}"[:300] if exc else str(response.status_code)


# One role of each kind of access (trust-wide, school casework, own pupils, aggregates only, family): the
# headteacher, TA and trustee answer as the SENCO, teacher and governor do, and the suite stays fast.
CRAWL_ROLES = [
    "lead@oak.test",
    "senco.acorn@oak.test",
    "teacher.acorn@oak.test",
    "governor.acorn@oak.test",
    "parent.acorn@oak.test",
]


@pytest.mark.parametrize("name", URL_NAMES)
def test_no_server_errors(demo, name: str) -> None:
    builder = BUILDERS[name]
    offset = zlib.crc32(name.encode())
    failures: list[str] = []

    def check(response: Any, method: str, url: str, email: str, params: Any = None) -> Any:
        if response.status_code >= 500:
            shown = f" with {_short(params)}" if params else ""
            failures.append(f"{method} {url} as {email}{shown}: {_describe(response)}")
        return response

    kwargs: dict[str, Any] = {}
    fresh = False  # the real objects are made again once a POST may have changed them
    for index, email in enumerate(CRAWL_ROLES):
        client = _client(demo, email)
        if builder and (not fresh or name in PER_ROLE):
            kwargs, fresh = builder(demo, email), True
        url = reverse(name, kwargs=kwargs or None)
        match = resolve(url)
        converters = _converters(match.route)

        # (a) a junk value for one kwarg: each role takes the next (kwarg, junk) pair, so every pair is tried.
        if kwargs:
            pairs = [(key, junk) for key in sorted(kwargs) for junk in _junk_for(converters.get(key, "str"))]
            key, junk = pairs[(index + offset) % len(pairs)]
            junk_url = reverse(name, kwargs={**kwargs, key: junk})
            check(client.get(junk_url), "GET", junk_url, email)

        # (b) real ids, one set of junk query parameters.
        params = JUNK_PARAMS[(PARAM_SET_FOR_ROLE[email] + offset) % len(JUNK_PARAMS)]
        page = check(client.get(url, params), "GET", url, email, params)

        if not _takes_post(match.func):
            continue
        responses = [page]
        if email in REACHES.get(name, EVERYONE):  # an empty form is only news to someone who reaches the page
            empty = check(client.post(url, {}), "POST", url, email, "an empty form")
            fresh = fresh and empty.status_code in (404, 405)
            responses.append(empty)
        fields: dict[str, str] = {}
        for response in responses:
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                fields |= _form_fields(response.content.decode())
        junk_post_url = f"{url}?{urlencode(params, doseq=True)}"
        form = _junk_form(fields, index + offset)  # each role puts different junk in each field
        junk_post = check(client.post(junk_post_url, form), "POST", junk_post_url, email, form)
        fresh = fresh and junk_post.status_code in (404, 405)

    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)
