"""Words written for families are plain: each parent-facing template and email reads at the level a
9-year-old reads, which is what GOV.UK aims for.

Formula: the Flesch-Kincaid grade level,
    grade = 0.39 × (words ÷ sentences) + 11.8 × (syllables ÷ words) − 15.59,
over a template's fixed text (everything but the data put into it), with the syllable counter below (groups
of vowels, less a silent final "e", at least one a word; no dictionary, no network). A US grade is a UK
reading age less 5, so reading age 9 is grade 4.

Target: each template or email at grade 4 or below (``TARGET_GRADE``), counting its sentences of four words or
more (a one-word heading such as "Assessments" would swing the score either way); and no one sentence above
grade 8 (``SENTENCE_CEILING``, reading age 13), so a long sentence cannot hide among short ones. A failure
lists the sentences above the target, hardest first: rewrite those (shorter sentences, shorter words),
keeping the meaning.

Which texts: every template in the parent portal folder, the documents parents are given
(``FAMILY_DOCUMENTS``), the family footer and the other pages a family reads (``FAMILY_TEMPLATES``: the
invitation pages, notifications, privacy, error pages), the emails a parent gets, and the words the Python
code writes for families (``FAMILY_PYTHON``: every sentence-like string literal of those modules, or of the
named functions in modules that also write for staff). Every ``*pdf.html`` template and every invitation kind
must be named here as for families or not, so a new one cannot be missed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django_scopes import scope

from trusts.models import Invitation, Notification

TARGET_GRADE = 4.0
SENTENCE_CEILING = 8.0
SHORTEST_SENTENCE = 4  # words
TEMPLATES = Path(settings.BASE_DIR) / "templates"
FAMILY_DOCUMENTS = {"graduated/plan_pdf.html", "reviews/report_pdf.html"}
# Not written for families, with why: each new PDF template must be in one of the two sets.
NOT_FOR_FAMILIES = {
    "reports/sen_information_pdf.html": "the school's published SEN information report, for the website",
    "reports/subject_access_pdf.html": "the records themselves, in answer to a subject access request",
    "ehcp/version_pdf_upload.html": "a staff form for uploading a plan's PDF, not a document",
    "reports/la_letter_pdf.html": "the inclusion lead's escalation letter to a local authority's SEN team",
}
FAMILY_TEMPLATES = {
    "includes/_family_footer.html",
    "reports/public/sen_information.html",
    # A parent's invitation: the pages before and after they sign in (shared with staff invitations).
    "trusts/_invitation_summary.html",
    "trusts/invitation_confirm.html",
    "trusts/invitation_invalid.html",
    "trusts/invitation_new_account.html",
    "trusts/invitation_other_organisation.html",
    "trusts/invitation_sign_in.html",
    "trusts/invitation_wrong_account.html",
    # Pages every parent can open (the staff-only part of notifications is trusts/_undelivered_emails.html).
    "trusts/notifications.html",
    "trusts/privacy.html",
    "400.html",
    "403.html",
    "404.html",
}
# Python modules that write words families read: None for the whole module, else the functions that do
# (the rest of the module writes for staff).
FAMILY_PYTHON: dict[str, set[str] | None] = {
    "reports/views/portal.py": None,
    "reports/views/portal_meetings.py": None,
    "reports/views/portal_referrals.py": None,
    "reports/portal_forms.py": None,
    "ehcp/parent_dates.py": None,
    "graduated/queries/parents.py": None,
    "reviews/queries/parents.py": None,
    "pupils/meeting_replies.py": {"reply_problems", "reply_to_meeting", "tell_parents_date_changed"},
    "pupils/parents.py": {"link_parent_on_acceptance"},
}
# Not words a person reads: audit summaries and registry descriptions (staff), file names and template paths.
NOT_READ_KEYWORDS = {"summary", "rule", "filled_by"}
NOT_A_SENTENCE = re.compile(r"/|\.(pdf|html|csv|zip)\b")
FAMILY_INVITATIONS = {Invitation.Kind.PARENT}
STAFF_INVITATIONS = {Invitation.Kind.STAFF, Invitation.Kind.ACCESS}

# A placeholder for each value the template fills in: a short name reads like the names and dates it stands for.
PLACEHOLDER = "Sam"
BLOCK_END = re.compile(
    r"</?(p|li|ul|ol|h[1-6]|td|th|tr|table|div|title|caption|dt|dd|br|footer|header|section)\b[^>]*>", re.I
)


def syllables(word: str) -> int:
    """Vowel groups, less a silent final "e" (but not "-le", as in "table"), at least one.
    >>> [syllables(w) for w in ("school", "support", "plan", "review", "table", "make", "special")]
    [1, 2, 1, 2, 2, 1, 2]"""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 0
    count = len(re.findall(r"[aeiouy]+", w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(count, 1)


def sentences(text: str) -> list[str]:
    """Sentences end at . ! ? : or at a block (a heading, paragraph, list item or cell ends)."""
    parts = re.split(r"(?<=[.!?:])\s+|\n+", text)
    return [p.strip() for p in parts if len(words(p)) >= SHORTEST_SENTENCE]


def words(sentence: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z'’-]*", sentence)


def grade(texts: list[str]) -> float:
    n_words = sum(len(words(s)) for s in texts)
    if not n_words:
        return 0.0
    n_syllables = sum(syllables(w) for s in texts for w in words(s))
    return 0.39 * n_words / len(texts) + 11.8 * n_syllables / n_words - 15.59


def fixed_text(source: str) -> str:
    """The words a template always shows: no tags, comments or code; each value shown as one short name."""
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", source, flags=re.S)
    source = re.sub(r"{#.*?#}", " ", source, flags=re.S)
    source = re.sub(r"<(style|script|head)\b.*?</\1>", " ", source, flags=re.S | re.I)
    source = re.sub(r"{{.*?}}", PLACEHOLDER, source, flags=re.S)
    source = re.sub(r"{%.*?%}", " ", source, flags=re.S)
    source = BLOCK_END.sub("\n", source)
    source = re.sub(r"<[^>]+>", " ", source)
    source = re.sub(r"&[a-z]+;|&#\d+;", " ", source)
    return re.sub(r"[ \t]+", " ", source)


def problems(name: str, text: str) -> str | None:
    found = sentences(text)
    level = grade(found)
    hard = sorted(((grade([s]), s) for s in found), reverse=True)
    if level <= TARGET_GRADE and all(g <= SENTENCE_CEILING for g, _ in hard):
        return None
    listed = "\n".join(f"    grade {g:4.1f}: {s}" for g, s in hard if g > TARGET_GRADE)
    return (
        f"{name} reads at grade {level:.1f} (target {TARGET_GRADE}, no sentence above {SENTENCE_CEILING}). "
        f"Rewrite:\n{listed}"
    )


def family_templates() -> list[str]:
    portal = [f"reports/portal/{p.name}" for p in sorted((TEMPLATES / "reports" / "portal").glob("*.html"))]
    return portal + sorted(FAMILY_DOCUMENTS) + sorted(FAMILY_TEMPLATES)


def python_texts(path: str, functions: set[str] | None = None) -> list[str]:
    """The string literals a module writes (each value of an f-string or a ``{name}`` as one short name):
    docstrings, the keywords in ``NOT_READ_KEYWORDS`` and file names left out; only inside `functions` if
    given."""
    tree = ast.parse((Path(settings.BASE_DIR) / path).read_text())
    roots: list[ast.AST] = [tree]
    if functions is not None:
        roots = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name in functions]
        assert {n.name for n in roots if isinstance(n, ast.FunctionDef)} == functions, path
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            skipped.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.keyword) and node.arg in NOT_READ_KEYWORDS:
            skipped |= {id(sub) for sub in ast.walk(node.value)}
        if isinstance(node, ast.JoinedStr):
            skipped |= {id(sub) for sub in ast.walk(node) if sub is not node}
    texts = []
    for root in roots:
        for node in ast.walk(root):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            elif isinstance(node, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else PLACEHOLDER for v in node.values)
            else:
                continue
            if " " in text and not NOT_A_SENTENCE.search(text):
                texts.append(re.sub(r"{\w*}", PLACEHOLDER, text))
    return texts


def test_the_syllable_counter_and_the_formula() -> None:
    assert [syllables(w) for w in ("school", "support", "plan", "review", "table", "make", "special")] == [
        1,
        2,
        1,
        2,
        2,
        1,
        2,
    ]
    # "The cat sat on the mat." 6 words, 1 sentence, 6 syllables: 0.39 × 6 + 11.8 − 15.59 = −1.45.
    assert round(grade(["The cat sat on the mat."]), 2) == -1.45
    assert grade(sentences("Education, Health and Care plans are statutory documents.")) > SENTENCE_CEILING
    assert sentences("Assessments\nWe will look at it with you.") == ["We will look at it with you."]


def test_every_pdf_template_is_named_as_for_families_or_not() -> None:
    pdfs = {str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*pdf*.html")}
    unnamed = pdfs - FAMILY_DOCUMENTS - NOT_FOR_FAMILIES.keys()
    assert not unnamed, f"Say whether these are written for families (FAMILY_DOCUMENTS or NOT_FOR_FAMILIES): {unnamed}"
    assert len(family_templates()) >= 4


@pytest.mark.parametrize("name", family_templates())
def test_family_templates_read_at_a_9_year_olds_level(name: str) -> None:
    text = fixed_text((TEMPLATES / name).read_text())
    assert sentences(text), name
    report = problems(name, text)
    assert report is None, report


@pytest.mark.parametrize("path", sorted(FAMILY_PYTHON))
def test_the_words_python_writes_for_families_read_at_a_9_year_olds_level(path: str) -> None:
    texts = python_texts(path, FAMILY_PYTHON[path])
    assert sentences("\n".join(texts)), path
    report = problems(path, "\n".join(texts))
    assert report is None, report


def test_the_python_texts_are_the_strings_a_person_reads() -> None:
    texts = python_texts("reports/views/portal.py")
    assert any("gets SEN support" in t for t in texts)
    assert not any(t.startswith("Parent portal") for t in texts)  # audit summaries are for staff
    assert not any(t.startswith("The child's SEN support plan") for t in texts)  # a docstring
    assert not any(".pdf" in t or "/" in t for t in texts)  # file names and template paths
    replies = python_texts("pupils/meeting_replies.py", {"reply_problems"})
    assert "The meeting has already happened, so it is too late to answer." in replies
    assert not any("A parent of a" in t for t in replies)  # the staff notification, in another function


def test_every_invitation_kind_is_named_as_for_families_or_not() -> None:
    assert set(Invitation.Kind) == FAMILY_INVITATIONS | STAFF_INVITATIONS


@pytest.mark.django_db
def test_the_emails_a_parent_gets_read_at_a_9_year_olds_level(demo) -> None:
    from pupils.parents import add_contact, invite_parent
    from tests.factories import pupil_at
    from trusts.email import body_of
    from trusts.invitations import send_invitation

    pupil = pupil_at(demo, demo.acorn)
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        contact = add_contact(pupil=pupil, actor=senco, name="Sam Lee", relationship="Father", email="sam@home.test")
        send_invitation(invitation=invite_parent(contact=contact, actor=senco))
    (invitation,) = [m for m in mail.outbox if m.to == ["sam@home.test"]]
    note = Notification(trust=demo.oak, recipient=demo.user("parent.acorn@oak.test"), kind="portal", link="/family/")
    failures = [
        problems(name, re.sub(r"https?://\S+", PLACEHOLDER, text).replace(demo.acorn.name, PLACEHOLDER))
        for name, text in (
            ("the parent invitation email", f"{invitation.subject}\n{invitation.body}"),
            ("a parent's notification email", body_of(note)),
        )
    ]
    assert not any(failures), "\n".join(f for f in failures if f)
