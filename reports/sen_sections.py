"""The sections of the SEN information report, defined once: the form, the page, the PDF, the public page and
the completeness check all read this list.

Each section names where the law asks for it and says, briefly, what to write. The sources:
- Children and Families Act 2014 s.69(3)(a): the SEN information report itself, whose contents are set by
  the SEND Regulations 2014 reg 51 and Schedule 1 (paragraphs 1 to 13); the SEND Code of Practice 6.79
  repeats that list.
- s.69(3)(b): the disability information (admission, less favourable treatment, facilities for access) and
  the accessibility plan under the Equality Act 2010 Schedule 10 paragraph 3; the Code of Practice 6.83.
- The Code of Practice 6.80: named contacts for concerns and the school's contribution to the local offer.
  It says "should", so the report can be published without it; every "must" item is `required`.

Schedule 1 paragraph 1 (the kinds of need provided for) is answered by the figures from the casework, so it is
listed here as `from_casework` and has no field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "line", "link", "casework"]


@dataclass(frozen=True)
class Section:
    key: str  # the model field (none for a casework section)
    title: str
    source: str  # where the law asks for it
    hint: str  # what to write, in a sentence or two
    kind: Kind = "text"
    required: bool = True  # the law says "must": the report is not published without it

    @property
    def from_casework(self) -> bool:
        return self.kind == "casework"

    @property
    def anchor(self) -> str:
        return f"id_{self.key}"


SECTIONS: tuple[Section, ...] = (
    Section(
        "kinds_of_need",
        "The kinds of special educational need we provide for",
        "SEND Regulations 2014 Sch.1 para 1",
        "Filled in from your register: the numbers of pupils by primary need, with small numbers hidden.",
        kind="casework",
    ),
    Section(
        "identification",
        "How we identify and assess special educational needs",
        "SEND Regulations 2014 Sch.1 para 2",
        "How staff notice that a pupil may have SEN, who assesses, and how parents are told.",
    ),
    Section(
        "evaluating_effectiveness",
        "How we check that our provision works",
        "SEND Regulations 2014 Sch.1 para 3(a)",
        "How you evaluate the effectiveness of provision: reviews, progress data, pupil and parent views.",
    ),
    Section(
        "assessing_progress",
        "How we assess and review progress",
        "SEND Regulations 2014 Sch.1 para 3(b)",
        "The assess, plan, do, review cycle: how often support plans are reviewed and who takes part.",
    ),
    Section(
        "teaching_approach",
        "Our approach to teaching pupils with SEN",
        "SEND Regulations 2014 Sch.1 para 3(c)",
        "Quality first teaching, and how teachers are supported to teach pupils with SEN.",
    ),
    Section(
        "adaptations",
        "How the school adapts the curriculum and learning environment",
        "SEND Regulations 2014 Sch.1 para 3(d); Code of Practice 6.81",
        "Examples of changes to lessons, materials and rooms, and how the curriculum is made accessible.",
    ),
    Section(
        "additional_support",
        "The additional support for learning we offer",
        "SEND Regulations 2014 Sch.1 para 3(e)",
        "Interventions, small-group and one-to-one support, and how a pupil gets them.",
    ),
    Section(
        "inclusion_activities",
        "How pupils with SEN take part in all school activities",
        "SEND Regulations 2014 Sch.1 para 3(f)",
        "Clubs, trips and physical activities, and the adjustments that let every pupil join in.",
    ),
    Section(
        "wellbeing",
        "Support for emotional, mental and social development",
        "SEND Regulations 2014 Sch.1 para 3(g)",
        "Pastoral care, mental health support, help with friendships, and measures against bullying.",
    ),
    Section(
        "senco_contact",
        "Our SENCO and how to contact them",
        "SEND Regulations 2014 Sch.1 para 4",
        "The SENCO's name, email address and telephone number.",
        kind="line",
    ),
    Section(
        "staff_expertise",
        "Staff expertise and training",
        "SEND Regulations 2014 Sch.1 para 5",
        "Training staff have had this year, and how specialist expertise is secured from outside the school.",
    ),
    Section(
        "equipment_facilities",
        "How we secure equipment and facilities",
        "SEND Regulations 2014 Sch.1 para 6",
        "How specialist equipment and facilities are obtained, for example through the local authority or "
        "health services.",
    ),
    Section(
        "consulting_parents",
        "How we consult and involve parents",
        "SEND Regulations 2014 Sch.1 para 7",
        "Meetings, reviews and other ways parents share their views and take part in decisions.",
    ),
    Section(
        "consulting_pupils",
        "How we consult and involve pupils",
        "SEND Regulations 2014 Sch.1 para 8",
        "How pupils give their views (for example a one-page profile) and take part in their reviews.",
    ),
    Section(
        "complaints",
        "How to complain about SEN provision",
        "SEND Regulations 2014 Sch.1 para 9",
        "The governing body's arrangements for complaints from parents about SEN provision, step by step.",
    ),
    Section(
        "other_agencies",
        "How we work with health, social care and other services",
        "SEND Regulations 2014 Sch.1 para 10",
        "How the governing body involves health and social care, local authority support services and voluntary "
        "organisations in meeting needs and supporting families.",
    ),
    Section(
        "parent_support",
        "Support services for parents",
        "SEND Regulations 2014 Sch.1 para 11",
        "Contact details of support services for parents, including the local SEND information, advice and "
        "support service (SENDIASS).",
    ),
    Section(
        "transitions",
        "Moving between phases and preparing for adulthood",
        "SEND Regulations 2014 Sch.1 para 12",
        "How pupils are supported when joining, moving class, changing school and preparing for adult life.",
    ),
    Section(
        "local_offer",
        "Where the local authority publishes its local offer",
        "SEND Regulations 2014 Sch.1 para 13; Code of Practice 6.80",
        "The web address of the local authority's local offer.",
        kind="link",
    ),
    Section(
        "local_offer_contribution",
        "Our contribution to the local offer, and who to talk to about a concern",
        "Code of Practice 6.80",
        "What the school offers as part of the local offer, and named contacts for parents with concerns.",
        required=False,
    ),
    Section(
        "disabled_admissions",
        "The admission of disabled pupils",
        "Children and Families Act 2014 s.69(3)(b); Code of Practice 6.83",
        "The arrangements for the admission of disabled pupils, or where the admissions policy sets them out.",
    ),
    Section(
        "disabled_treatment",
        "How we stop disabled pupils being treated less favourably",
        "Children and Families Act 2014 s.69(3)(b); Equality Act 2010; Code of Practice 6.83",
        "The steps taken to prevent disabled pupils being treated less favourably than other pupils.",
    ),
    Section(
        "disabled_facilities",
        "Facilities that help disabled pupils get around the school",
        "Children and Families Act 2014 s.69(3)(b); Code of Practice 6.83",
        "The facilities provided to help disabled pupils access the school: ramps, lifts, toilets, hearing loops.",
    ),
    Section(
        "accessibility_plan",
        "Our accessibility plan",
        "Children and Families Act 2014 s.69(3)(b); Equality Act 2010 Sch.10 para 3; Code of Practice 6.83",
        "How the school will improve access to the curriculum, the buildings and information over time, "
        "and where the full accessibility plan can be read.",
    ),
)

BY_KEY = {s.key: s for s in SECTIONS}
WRITTEN = tuple(s for s in SECTIONS if not s.from_casework)  # the sections the school writes
FIELDS = tuple(s.key for s in WRITTEN)


def value_of(report: object, section: Section) -> str:
    return str(getattr(report, section.key, "") or "").strip()


def missing(report: object) -> list[Section]:
    """The required sections the report leaves empty, in the report's order."""
    return [s for s in WRITTEN if s.required and not value_of(report, s)]


def filled(report: object) -> list[tuple[Section, str]]:
    """The written sections that have words in them, with their words (what families read)."""
    return [(s, text) for s in WRITTEN if (text := value_of(report, s))]
