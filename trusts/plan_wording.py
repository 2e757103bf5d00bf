"""Plan-wording checks: the rules of `trusts.plan_wording_rules` applied to a plan's sections or an outcome.

A text is cut into items: a line that starts with a bullet or a number, or follows a blank line, starts a
new item (pasted PDF text wraps mid-sentence, so other lines join the one before); each item is then cut
into sentences. One finding names one rule and the sentence it is about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .plan_wording_rules import NEED_FAMILIES, RULES, RULES_BY_ID, AppliesTo, WordingRule, compiled_patterns

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "WordingRule",
    "CheckedSection",
    "CheckedSentence",
    "Finding",
    "check_outcome",
    "check_plan",
]

# The sections the checks read, and what their sentences are.
SECTION_KINDS: dict[str, AppliesTo] = {"B": "need", "E": "outcome", "F": "provision"}


@dataclass(frozen=True)
class Finding:
    rule: WordingRule
    section: str  # the plan's section letter ("" for a support-plan outcome)
    text: str  # the sentence the finding is about ("" for an empty section)
    phrase: str = ""  # the words that matched, for a "phrase" rule
    at: int = -1  # where they start in `text`
    detail: str = ""  # the need family, for a need with no outcome or provision

    @property
    def explanation(self) -> str:
        return self.rule.explanation.format(letter=self.section, family=self.detail)

    @property
    def source(self) -> str:
        return self.rule.source

    def as_line(self) -> str:
        """One line for a reply to the LA: where, what, why and the paragraph."""
        where = f"Section {self.section}" if self.section else "Outcome"
        quoted = f" “{_short(self.text)}”" if self.text else ""
        said = f" (“{self.phrase}”)" if self.phrase else ""
        return f"- {where}{quoted}{said}: {self.explanation} ({self.source})"


@dataclass
class CheckedSentence:
    text: str
    findings: list[Finding] = field(default_factory=list)


@dataclass
class CheckedSection:
    letter: str
    title: str
    sentences: list[CheckedSentence]
    findings: list[Finding]  # about the section as a whole (empty)

    @property
    def all_findings(self) -> list[Finding]:
        return self.findings + [f for s in self.sentences for f in s.findings]


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_BULLET = re.compile(r"^\s*(?:[-•*–·]|\d+[.)]|[a-z][.)]|\([a-z0-9]+\))\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])")
# A full stop after these is not the end of a sentence ("e.g. Lego therapy", "approx. 30 minutes").
_ABBREVIATIONS = re.compile(
    r"(?:^|\s|\()(?:e\.g|i\.e|eg|ie|approx|etc|incl|inc|min|mins|hr|hrs|no|nos|wk|wks|Dr|Mr|Mrs|Ms|vs|cf)\.$",
    re.IGNORECASE,
)


def _split_sentences(item: str) -> list[str]:
    parts: list[str] = []
    for part in _SENTENCE_END.split(item):
        if parts and _ABBREVIATIONS.search(parts[-1]):
            parts[-1] = f"{parts[-1]} {part}"
        else:
            parts.append(part)
    return [p.strip() for p in parts if p.strip()]


def sentences(text: str) -> list[str]:
    """The items of a section, each cut into sentences, bullets and wrapped lines undone.

    "- Access to a quiet space.\\n- Weekly OT." gives two; "Daily 20 minutes\\nwith a TA." gives one
    (a wrapped line); "Weekly OT. Daily phonics." gives two.
    """
    items: list[str] = []
    current: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            if current:
                items.append(" ".join(current))
                current = []
            continue
        bullet = _BULLET.match(line)
        if bullet:
            if current:
                items.append(" ".join(current))
            current = [line[bullet.end() :].strip()]
        else:
            current.append(line)
    if current:
        items.append(" ".join(current))
    found: list[str] = []
    for item in items:
        found.extend(_split_sentences(" ".join(item.split())))
    return [s for s in found if re.search(r"\w", s)]


def _first_match(rule: WordingRule, text: str) -> re.Match[str] | None:
    for pattern in rule.compiled():
        if m := pattern.search(text):
            return m
    return None


def _sentence_findings(kind: AppliesTo, text: str, section: str, skip: Iterable[str]) -> list[Finding]:
    if text.endswith(":"):
        return []  # a heading ("Communication and interaction:"), not a provision or an outcome
    skipped = set(skip)
    found: list[Finding] = []
    for rule in RULES:
        if rule.applies_to != kind or rule.id in skipped:
            continue
        if rule.match == "phrase":
            m = _first_match(rule, text)
            if m and not any(p.search(text) for p in compiled_patterns(rule.unless)):
                found.append(Finding(rule=rule, section=section, text=text, phrase=m.group(0), at=m.start()))
        elif rule.match == "missing" and not _first_match(rule, text):
            found.append(Finding(rule=rule, section=section, text=text))
    return found


def _families(text: str) -> list[str]:
    families = NEED_FAMILIES.items()
    return [name for name, patterns in families if any(p.search(text) for p in compiled_patterns(patterns))]


def check_sentences(
    kind: AppliesTo, texts: Iterable[str], *, section: str = "", skip: Iterable[str] = ()
) -> list[CheckedSentence]:
    """Each sentence of `texts` with the findings of the rules for `kind` ("provision" or "outcome").

    `skip` names rules that the caller's own data already answers (a support plan's outcomes take their
    timescale from the cycle's review date, so graduated skips "outcome-no-timescale").
    """
    skip = tuple(skip)
    return [
        CheckedSentence(text=s, findings=_sentence_findings(kind, s, section, skip))
        for text in texts
        for s in sentences(text)
    ]


def check_outcome(text: str, *, skip: Iterable[str] = ()) -> list[Finding]:
    """The findings on one outcome (its words, target and measure together), for a support plan."""
    joined = " ".join(text.split())
    return _sentence_findings("outcome", joined, "", tuple(skip)) if joined.strip() else []


def review_plan(sections: Mapping[str, str], *, titles: Mapping[str, str] | None = None) -> list[CheckedSection]:
    """Every given section of a plan (letter -> text), each sentence with its findings, in the order given.

    Sections B, E and F are read sentence by sentence (needs, outcomes, provision); every given section is
    checked for being empty; each need family named in B is looked for in E and F together.
    """
    titles = titles or {}
    later = " ".join(text for letter, text in sections.items() if letter in {"E", "F"})
    later_families = set(_families(later))
    checked: list[CheckedSection] = []
    for letter, text in sections.items():
        section_findings: list[Finding] = []
        if not text.strip():
            section_findings.append(Finding(rule=RULES_BY_ID["section-empty"], section=letter, text=""))
        kind = SECTION_KINDS.get(letter)
        rows: list[CheckedSentence] = []
        if kind in {"provision", "outcome"}:
            assert kind is not None
            rows = check_sentences(kind, [text], section=letter)
        elif kind == "need":
            rows = [CheckedSentence(text=s) for s in sentences(text)]
            if "E" in sections or "F" in sections:
                reported: set[str] = set()
                for row in rows:
                    for family in _families(row.text):
                        if family not in later_families and family not in reported:
                            reported.add(family)
                            row.findings.append(
                                Finding(
                                    rule=RULES_BY_ID["need-without-outcome-or-provision"],
                                    section=letter,
                                    text=row.text,
                                    detail=family,
                                )
                            )
        else:
            rows = [CheckedSentence(text=s) for s in sentences(text)]
        checked.append(
            CheckedSection(letter=letter, title=titles.get(letter, ""), sentences=rows, findings=section_findings)
        )
    return checked


def check_plan(sections: Mapping[str, str]) -> list[Finding]:
    """Every finding on a plan's sections (letter -> text), in the order of the sections and their sentences."""
    return [f for section in review_plan(sections) for f in section.all_findings]


def findings_as_text(findings: Iterable[Finding]) -> str:
    """The findings as a list the SENCO edits before it goes into a reply to the LA."""
    lines = [f.as_line() for f in findings]
    if not lines:
        return ""
    return "Points on the wording of the draft plan:\n" + "\n".join(lines)
