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
(``FAMILY_DOCUMENTS``), the family footer, and the emails a parent gets. Every ``*pdf.html`` template and
every invitation kind must be named here as for families or not, so a new one cannot be missed.
"""

from __future__ import annotations

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
FAMILY_TEMPLATES = {"includes/_family_footer.html", "reports/public/sen_information.html"}
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
