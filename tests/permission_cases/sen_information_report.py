"""Permission cases for the SEN information report's versions and its public page (anonymous included)."""

from __future__ import annotations

from typing import Any

from .base import EVERYONE, Case

AGGREGATES = {"lead@oak.test", "head.acorn@oak.test", "senco.acorn@oak.test", "governor.acorn@oak.test"}


def _version(demo: Any, school: Any) -> dict[str, Any]:
    """A saved draft of the school's report (one per school, made once)."""
    from django_scopes import scope

    from reports.models import SenInformationReport

    with scope(trust=school.trust_id):
        report, _ = SenInformationReport.objects.get_or_create(
            school=school, academic_year=2025, version=1, defaults={"trust_id": school.trust_id}
        )
    return {"pk": report.pk}


def _published_at_acorn_only(demo: Any, school: Any) -> dict[str, Any]:
    """Acorn has a published report; Beech (and River's Willow) have a draft only, so theirs answer 404."""
    from django.utils import timezone
    from django_scopes import scope

    from reports.demo import WORDS
    from reports.models import SenInformationReport

    with scope(trust=school.trust_id):
        if not SenInformationReport.objects.filter(school=school).exists():
            published = timezone.now() if school == demo.acorn else None
            SenInformationReport.objects.create(
                trust_id=school.trust_id, school=school, academic_year=2025, published_at=published, **WORDS
            )
    return {"urn": school.urn}


CASES = [
    # Governors read every version; another school's versions answer 404 like any other object.
    Case("reports:sen_information_version", kwargs=_version, own=AGGREGATES, other_school={"lead@oak.test"}),
    Case("reports:public_sen_information", kwargs=_published_at_acorn_only, own=EVERYONE, public=True),
    Case("reports:public_sen_information_pdf", kwargs=_published_at_acorn_only, own=EVERYONE, public=True),
]
