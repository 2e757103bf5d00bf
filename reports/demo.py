"""Demo SEN information reports: Acorn published last year's report and is writing this year's, with two of the
required sections still to write (so the page shows what is missing before it can publish)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.utils import timezone
from django_scopes import scope

from trusts.calendar_defaults import academic_year_of

from .models import SenInformationReport
from .sen_information import report_figures

WORDS = {
    "senco_contact": "Mrs Priya Sharma, SENCO: senco@acorn.example.sch.uk, 01632 960 123",
    "identification": "Class teachers check every pupil's progress each term. If a child is not making the "
    "progress we expect, the teacher talks to the SENCO and to the child's parents. We may use screening "
    "tools or ask a specialist, such as a speech and language therapist, to assess the child.",
    "evaluating_effectiveness": "Each support plan has outcomes agreed with the family. We review them every "
    "term, and the SENCO reports to governors each year on how well our provision worked.",
    "assessing_progress": "We follow the assess, plan, do, review cycle. Support plans are reviewed at least "
    "three times a year with the pupil and their parents; EHC plans also have an annual review.",
    "teaching_approach": "Good teaching for all comes first. Teachers adapt their lessons, and the SENCO "
    "coaches them on strategies for the pupils they teach.",
    "adaptations": "Visual timetables in every classroom, coloured overlays, writing frames, movement breaks and "
    "a quiet room. Tests and tasks are given in the format each pupil needs.",
    "additional_support": "Small-group phonics and maths catch-up, precision teaching, social skills groups and, "
    "for some pupils, one-to-one support from a teaching assistant.",
    "inclusion_activities": "Every club and trip is open to all pupils. We plan adjustments before each trip and "
    "talk to parents about what their child needs.",
    "wellbeing": "Our learning mentor runs a nurture group at lunchtime. We have a trained mental health lead, and "
    "our anti-bullying work includes a buddy scheme.",
    "staff_expertise": "All teaching assistants have trained in precision teaching and autism awareness this year. "
    "Our SENCO holds the national award for SEN co-ordination.",
    "equipment_facilities": "We ask the local authority's sensory support service and the NHS occupational "
    "therapy team for specialist equipment, and fund smaller items from our SEN budget.",
    "consulting_parents": "Parents meet the class teacher each term to review their child's support plan, and can "
    "ask for a meeting with the SENCO at any time.",
    "consulting_pupils": "Pupils complete an \u201call about me\u201d profile with an adult and take part in their "
    "reviews in the way that suits them.",
    "complaints": "Speak to the class teacher or the SENCO first. If you are not happy, write to the headteacher, "
    "then to the chair of governors under the trust's complaints procedure.",
    "other_agencies": "We work with the school nurse, speech and language therapy, CAMHS, the educational "
    "psychologist, early help and local charities such as the parent carer forum.",
    "parent_support": "Northshire SENDIASS gives free, impartial advice: 01632 960 456, sendiass@northshire.example.",
    "transitions": "We visit nursery settings before children start, plan extra visits before each move to a new "
    "class, and meet the secondary school's SENCO before pupils move on.",
    "local_offer": "https://www.northshire.example/local-offer",
    "local_offer_contribution": "Our provision is listed in the Northshire local offer. For any worry, talk to "
    "the SENCO or the headteacher.",
    "disabled_admissions": "Disabled pupils are admitted on the same terms as all pupils, under the trust's "
    "admissions policy. We meet families before a child starts to plan any adjustments.",
    "disabled_treatment": "We make reasonable adjustments to our policies, lessons and trips, and check our "
    "policies for any effect on disabled pupils.",
    "disabled_facilities": "The building is on one level, with ramps at both entrances, an accessible toilet and "
    "a hearing loop in the hall.",
    "accessibility_plan": "Our three-year accessibility plan is on the school website. This year it adds "
    "accessible reading materials and a changing room.",
}
# This year's draft: two required sections not rewritten yet.
LEFT_FOR_THIS_YEAR = ("equipment_facilities", "accessibility_plan")


def seed_sen_information(objects: dict[str, Any]) -> str:
    """Acorn's published report for last year and its draft for this year. Idempotent: a school with any report
    is left alone. Returns a one-line summary."""
    school = objects["schools"]["acorn"]
    senco = objects["users"]["senco.acorn@oak.test"]
    year = academic_year_of(timezone.localdate())
    with scope(trust=school.trust_id):
        if SenInformationReport.objects.filter(school=school).exists():
            return ""
        published_on = timezone.make_aware(datetime.combine(datetime(year - 1, 10, 1).date(), time(9)))
        SenInformationReport.objects.create(
            trust_id=school.trust_id,
            school=school,
            academic_year=year - 1,
            updated_by=senco,
            published_at=published_on,
            published_by=senco,
            figures=report_figures(school),
            **WORDS,
        )
        draft = WORDS | {key: "" for key in LEFT_FOR_THIS_YEAR}
        draft["staff_expertise"] += " Two teachers are training in the Elklan language programme."
        SenInformationReport.objects.create(
            trust_id=school.trust_id, school=school, academic_year=year, updated_by=senco, **draft
        )
    return "Acorn's SEN information report: last year's published, this year's a draft."
