"""GOV.UK style is sentence case: flash messages, notifications, email subjects, form labels, headings, buttons,
back links and table headings start with a capital and keep the rest lower case, except names and acronyms
(kept in the short list below). django-allauth's account pages and emails are Title Case in English; our
en-gb catalogue (locale/) rewords them, and is checked here too."""

from __future__ import annotations

import ast
import gettext
import html
import re
from collections.abc import Iterator
from pathlib import Path

import allauth
from django.template.loader import render_to_string
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
APPS = ("trusts", "pupils", "register", "graduated", "ehcp", "reviews", "reports")
# Names of several words, which keep their capitals wherever they are: the product, the pupil's profile, the
# statutory guidance, the tribunal, and the sign-in services a trust can use.
NAMED_PHRASES = (
    "SEND Casework",
    "All about me",
    "Code of Practice",
    "SEND Tribunal",
    "Microsoft Entra ID",
    "Google Workspace",
    "OpenID Connect",
)
# Single words that keep their capital mid-sentence: names of organisations, places, languages, products and
# forms, school years, days and months. Acronyms (SEN, SENCO, EHC, LA, UPN...) are all capitals and always allowed.
NAMES = {
    "DfE",  # the Department for Education
    "Ofsted",
    "England",
    "English",
    "Microsoft",
    "Google",
    "Word",
    "JavaScript",
    "Form",  # JCQ's Form 8, the access arrangements form
    "Year",  # Year 4
    "Reception",
    "Nursery",
    *("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    *("January", "February", "March", "April", "May", "June", "July"),
    *("August", "September", "October", "November", "December"),
}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
# A new sentence (or a quotation, a bracket, a new line, a list item) may start with a capital; so may the text
# after a prefix in square brackets ("[SEND Casework] You have a new notification").
SENTENCE_BREAK = re.compile(r"[.:;!?]\s+|[(\"“\]\n]|\s-\s")


def _capitalised_mid_sentence(text: str) -> list[str]:
    found = []
    for phrase in NAMED_PHRASES:
        text = text.replace(phrase, "x")
    for sentence in SENTENCE_BREAK.split(text):
        for word in WORD.findall(sentence)[1:]:
            bare = word.split("'")[0].split("’")[0]
            if bare[:1].isupper() and not bare.isupper() and bare not in NAMES:
                found.append(word)
    return found


def _literals(node: ast.AST | None, assigned: dict[str, list[ast.AST]], depth: int = 0) -> Iterator[str]:
    """The string literals a value is built from: a constant, an f-string's literal parts, both sides of + and of
    `x if c else y`, a tuple's items, and (for a plain name) what the name was assigned in the same function."""
    if node is None or depth > 3:
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        # A placeholder stands for a name or a number mid-sentence: a lower-case word keeps the sentence going.
        yield "".join(v.value if isinstance(v, ast.Constant) else " x " for v in node.values)
    elif isinstance(node, ast.BinOp):
        yield from _literals(node.left, assigned, depth)
        yield from _literals(node.right, assigned, depth)
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body, assigned, depth)
        yield from _literals(node.orelse, assigned, depth)
    elif isinstance(node, ast.Tuple | ast.List):
        for item in node.elts:
            yield from _literals(item, assigned, depth)
    elif isinstance(node, ast.Name):
        for value in assigned.get(node.id, []):
            yield from _literals(value, assigned, depth + 1)


def _assignments(function: ast.AST) -> dict[str, list[ast.AST]]:
    assigned: dict[str, list[ast.AST]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
            assigned.setdefault(node.target.id, []).append(node.value)  # type: ignore[arg-type]
    return assigned


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


# What people read, by call: flash messages (the message argument), notifications (text=), emails (subject=),
# form fields (label=, empty_label=, and a model field's verbose_name=, which a model form shows as its label).
KEYWORDS = {"text": {"notify"}, "subject": {"EmailMessage", "EmailMultiAlternatives", "send_mail"}}
FORM_KEYWORDS = {"label", "empty_label", "verbose_name"}
CHOICES = {"TextChoices", "IntegerChoices", "Choices"}  # their labels are radios, selects and tags


def _user_facing_strings() -> list[tuple[str, int, str, str]]:
    """(path, line, kind, literal) for every flash message, notification, email subject, form label (also a
    model form's Meta.labels) and choice label."""
    found = []
    email_texts: set[str] = set()  # functions filling trusts.invitations.EMAIL_TEXT: (subject, first paragraph)
    trees = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                trees[path] = ast.parse(path.read_text())
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
                if getattr(node.targets[0].value, "id", "") == "EMAIL_TEXT" and isinstance(node.value, ast.Name):
                    email_texts.add(node.value.id)
    for path, tree in trees.items():
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(base, "attr", getattr(base, "id", "")) for base in node.bases}
                for item in node.body:
                    if not isinstance(item, ast.Assign):
                        continue
                    if bases & CHOICES and isinstance(item.value, ast.Tuple) and item.value.elts:
                        found += [(where, item.lineno, "choice", t) for t in _literals(item.value.elts[-1], {})]
                    if getattr(item.targets[0], "id", "") == "labels" and isinstance(item.value, ast.Dict):
                        found += [(where, item.lineno, "label", t) for v in item.value.values for t in _literals(v, {})]
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        for function in [tree, *functions]:
            assigned = _assignments(function) if function is not tree else {}
            body = (
                function.body if function is not tree else [n for n in tree.body if not isinstance(n, ast.FunctionDef)]
            )
            for statement in body:
                for node in ast.walk(statement):
                    if isinstance(node, ast.Return) and getattr(function, "name", "") in email_texts:
                        for text in _literals(node.value, assigned):
                            found.append((where, node.lineno, "email", text))
                    if not isinstance(node, ast.Call):
                        continue
                    name = _call_name(node)
                    if (
                        name in {"success", "info", "warning", "error"}
                        and getattr(node.func.value, "id", "") == "messages"  # type: ignore[attr-defined]
                        and len(node.args) >= 2
                    ):
                        found += [(where, node.lineno, "message", t) for t in _literals(node.args[1], assigned)]
                    if (
                        name.endswith("Field")
                        and name != "ManyToManyField"
                        and getattr(node.func, "value", None) is not None
                        and node.args
                    ):
                        if getattr(node.func.value, "id", "") == "models":  # type: ignore[attr-defined]
                            found += [(where, node.lineno, "verbose_name", t) for t in _literals(node.args[0], {})]
                    for keyword in node.keywords:
                        if name in KEYWORDS.get(keyword.arg or "", set()) or keyword.arg in FORM_KEYWORDS:
                            found += [
                                (where, node.lineno, keyword.arg or "", t) for t in _literals(keyword.value, assigned)
                            ]
    return sorted(set(found))


def test_the_check_finds_title_case() -> None:
    assert _capitalised_mid_sentence("Support Plan Saved") == ["Plan", "Saved"]
    assert _capitalised_mid_sentence("The LA's decision is recorded. Ruby's All about me.") == []
    assert _capitalised_mid_sentence("[SEND Casework] You have a new notification") == []
    assert _capitalised_mid_sentence("Back to x People") == ["People"]


def test_messages_notifications_email_subjects_and_form_labels_are_in_sentence_case() -> None:
    strings = _user_facing_strings()
    kinds = {kind for _path, _line, kind, _text in strings}
    # The scan sees each kind: flash messages, notify(text=...) (also through a variable), email subjects
    # (the mailer's and the invitations'), form labels and choices.
    assert {"message", "text", "subject", "email", "label", "verbose_name", "choice"} <= kinds, kinds
    assert len([s for s in strings if s[2] == "message"]) > 50 and len([s for s in strings if s[2] == "text"]) > 10
    bad = [(path, line, text) for path, line, _kind, text in strings if _capitalised_mid_sentence(text)]
    assert bad == []


# Headings, buttons, labels, legends, table headings and captions, summaries, summary-list keys, page titles, and
# links styled as buttons or back links. A template variable stands for a name mid-sentence ("Back to x
# People"); a template tag starts a new piece ({% if %} alternatives are separate phrases), as does an inner tag.
TAG_TEXT = re.compile(
    r"<(h1|h2|h3|button|label|legend|th|caption|summary|dt|title)\b[^>]*>(.*?)</\1>"
    r"|<a\b[^>]*class=\"[^\"]*govuk-(?:button|back-link)[^\"]*\"[^>]*>(.*?)</a>"
    r"|\{% block (?:title|head_title) %\}(.*?)\{% endblock",
    re.S,
)
INCLUDE_ARG = re.compile(r"\{% (?:include|with)\b[^%]*?\b(?:label|legend|heading|title|button)=\"([^\"]+)\"")


def _template_phrases(source: str) -> Iterator[str]:
    source = re.sub(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", " ", source, flags=re.S)
    for match in TAG_TEXT.finditer(source):
        text = next(group for group in match.groups()[1:] if group is not None)
        text = re.sub(r"\{\{.*?\}\}", " x ", text, flags=re.S)
        for piece in re.split(r"\{%.*?%\}|<[^>]+>", text, flags=re.S):
            piece = " ".join(html.unescape(piece).split())
            if piece:
                yield piece
    yield from INCLUDE_ARG.findall(source)


def test_headings_buttons_and_labels_are_in_sentence_case() -> None:
    bad = []
    templates = list((ROOT / "templates").rglob("*.html"))
    assert len(templates) > 100
    for path in templates:
        for text in _template_phrases(path.read_text()):
            words = _capitalised_mid_sentence(text)
            if words:
                bad.append((str(path.relative_to(ROOT)), text, words))
    assert bad == []


# django-allauth: its English catalogue lists every string it shows; those of the account, two-factor,
# single sign-on and session pages and emails are what our people read.
ALLAUTH = Path(allauth.__file__).resolve().parent
ALLAUTH_SOURCES = ("account/", "mfa/", "socialaccount/", "usersessions/", "allauth/")  # code and templates
NOT_SHOWN = ("apps.py", "models.py", "admin.py", "providers/")  # admin-only names and other providers' pages
CATALOGUE = ROOT / "locale" / "en_GB" / "LC_MESSAGES"


def _po_entries(path: Path) -> Iterator[tuple[list[str], str, str]]:
    """(source references, msgid, msgstr) of each entry of a .po file (no plurals or contexts needed here)."""
    for block in path.read_text().split("\n\n"):
        refs = [ref for line in block.splitlines() if line.startswith("#:") for ref in line[2:].split()]
        if "msgctxt" in block or "msgid_plural" in block:
            continue
        parts = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block, flags=re.M)
        if parts:
            msgid, msgstr = (
                "".join(re.findall(r'"(.*)"', part)).encode().decode("unicode_escape").encode("latin-1").decode()
                for part in parts.groups()
            )
            if msgid:
                yield refs, msgid, msgstr


def test_allauth_pages_and_emails_read_in_sentence_case() -> None:
    strings = [
        msgid
        for refs, msgid, _ in _po_entries(ALLAUTH / "locale" / "en" / "LC_MESSAGES" / "django.po")
        if any(ref.removeprefix("allauth/").removeprefix("templates/").startswith(ALLAUTH_SOURCES) for ref in refs)
        and not all(any(part in ref for part in NOT_SHOWN) for ref in refs)
    ]
    assert len(strings) > 200  # the scan sees allauth's strings
    with translation.override("en-gb"):
        shown = [(msgid, translation.gettext(msgid)) for msgid in strings]
        bad = [(msgid, text) for msgid, text in shown if _capitalised_mid_sentence(re.sub(r"<[^>]+>", "", text))]
        assert ("Change Password", "Change password") in shown  # the password change page's heading and button
        assert bad == []
        # The emails' subjects, as allauth renders them (our catalogue reaches its templates).
        subjects = sorted((ALLAUTH / "templates").rglob("email/*_subject.txt"))
        assert len(subjects) > 10
        for path in subjects:
            subject = render_to_string(str(path.relative_to(ALLAUTH / "templates")), {}).strip()
            assert subject and not _capitalised_mid_sentence(subject), (path.name, subject)


def test_the_compiled_catalogue_matches_its_source() -> None:
    """locale/…/django.mo is what Django reads: it must say what django.po says (compilemessages after edits)."""
    with (CATALOGUE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    entries = list(_po_entries(CATALOGUE / "django.po"))
    assert len(entries) > 50
    assert [(msgid, catalogue.gettext(msgid)) for _, msgid, _ in entries] == [(m, s) for _, m, s in entries]
