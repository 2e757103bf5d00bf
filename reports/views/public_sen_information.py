"""A school's published SEN information report, for anyone, without signing in (the law asks for it on the
school's website; the website links here): /public/schools/<URN>/sen-information-report/.

Only the latest published version is shown: the school's words and the figures frozen when it was published
(already through `reports.disclosure`). Nothing else of the casework is read. The page works in the school's
own trust: the one lookup that finds the trust from the URN is the only query that may see every trust, and
everything after it runs in that trust's scope with the database pinned to it (row-level security), whoever
is or is not signed in. A school with nothing published, and any address that is not a school, answer 404.

Responses carry no personal data and do not depend on who asks, so they may be cached by browsers and
proxies (a few minutes), with Last-Modified and ETag so that a repeat visit is a 304.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django_scopes import scope

from trusts.models import School
from trusts.pdf import render_pdf
from trusts.public import trust_of_school
from trusts.replica import replica_view
from trusts.rls import pinned_to

from ..models import SenInformationReport
from ..sen_information import published_report
from ..sen_sections import filled

CACHE_SECONDS = 300
URN = re.compile(r"\d{6}")


def _trust_of(urn: str) -> int:
    if not URN.fullmatch(urn):
        raise Http404
    trust_id = trust_of_school(urn)
    if trust_id is None:
        raise Http404
    return trust_id


@contextmanager
def _in_schools_trust(urn: str) -> Iterator[tuple[School, SenInformationReport]]:
    trust_id = _trust_of(urn)
    with scope(trust=trust_id), pinned_to(trust_id):
        school = School.objects.filter(urn=urn).first()
        report = published_report(school) if school is not None else None
        if school is None or report is None:
            raise Http404
        yield school, report


def _cacheable(request: HttpRequest, report: SenInformationReport, response: HttpResponse) -> HttpResponse:
    assert report.published_at is not None
    etag = f'"sen-{report.pk}-{int(report.published_at.timestamp())}"'
    last_modified = int(report.published_at.timestamp())
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    conditional = get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
    return conditional or response


@replica_view
def public_sen_information(request: HttpRequest, urn: str) -> HttpResponse:
    with _in_schools_trust(urn) as (school, report):
        response = render(
            request,
            "reports/public/sen_information.html",
            {"school": school, "report": report, "figures": report.figures, "sections": filled(report)},
        )
    return _cacheable(request, report, response)


@replica_view
def public_sen_information_pdf(request: HttpRequest, urn: str) -> HttpResponse:
    with _in_schools_trust(urn) as (school, report):
        pdf = render_pdf(
            template="reports/sen_information_pdf.html",
            context={"school": school, "report": report, "figures": report.figures, "sections": filled(report)},
            title=f"SEN information report – {school.name}",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="SEN information report {report.year_label.replace("/", "-")} {school.urn}.pdf"'
    )
    return _cacheable(request, report, response)
