"""GOV.UK style is sentence case: flash messages, headings, buttons, labels and table headings start with a
capital and keep the rest lower case, except names and acronyms (kept in the short lists below)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("trusts", "pupils", "register", "graduated", "ehcp", "reviews", "reports")
# Words that keep their capital mid-sentence: the names of things (a product part, a document, a register, a
# service), days and months. Acronyms (SEN, SENCO, EHC, LA, UPN...) are all capitals and always allowed.
NAMES = {
    "All",  # "All about me", the pupil's profile
    "Code",
    "Practice",  # the SEND Code of Practice
    "Casework",  # the product, SEND Casework
    "DfE",  # the Department for Education
    "Form",  # JCQ's Form 8, the access arrangements form
    "England",
    "English",
    "Microsoft",
    "Google",
    "Word",
    "Ofsted",
    "Year",
    "Reception",
    "Nursery",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
SENTENCE_BREAK = re.compile(r"[.:;!?]\s+|[(\"“]")


def _capitalised_mid_sentence(text: str) -> list[str]:
    found = []
    for sentence in SENTENCE_BREAK.split(text):
        for word in WORD.findall(sentence)[1:]:
            bare = word.split("'")[0].split("’")[0]
            if bare[:1].isupper() and not bare.isupper() and bare not in NAMES:
                found.append(word)
    return found


def _message_strings() -> list[tuple[str, int, str]]:
    """The literal parts of every `messages.success/info/warning/error(request, ...)` in the apps."""
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"success", "info", "warning", "error"}
                    and getattr(node.func.value, "id", "") == "messages"
                    and len(node.args) >= 2
                ):
                    continue
                text = node.args[1]
                parts = [text] if isinstance(text, ast.Constant) else getattr(text, "values", [])
                for part in parts:
                    if isinstance(part, ast.Constant) and isinstance(part.value, str):
                        found.append((str(path.relative_to(ROOT)), node.lineno, part.value))
    return found


def test_the_check_finds_title_case() -> None:
    assert _capitalised_mid_sentence("Support Plan Saved") == ["Plan", "Saved"]
    assert _capitalised_mid_sentence("The LA's decision is recorded. Ruby's All about me.") == []


def test_flash_messages_are_in_sentence_case() -> None:
    strings = _message_strings()
    assert len(strings) > 50  # the scan sees the apps' messages
    bad = [(path, line, text) for path, line, text in strings if _capitalised_mid_sentence(text)]
    assert bad == []


TAG_TEXT = re.compile(r"<(h1|h2|h3|button|label|legend|th|caption)\b[^>]*>([^<{]+)")


def test_headings_buttons_and_labels_are_in_sentence_case() -> None:
    bad = []
    templates = list((ROOT / "templates").rglob("*.html"))
    assert len(templates) > 100
    for path in templates:
        for _tag, text in TAG_TEXT.findall(path.read_text()):
            words = _capitalised_mid_sentence(text.strip())
            if words:
                bad.append((str(path.relative_to(ROOT)), text.strip(), words))
    assert bad == []
