"""The local authority's record (reports.la_record): how each LA meets its statutory deadlines, and the
inclusion lead's escalation letter to one LA.

Who sees what: the casework roles (inclusion lead, headteacher, SENCO) see full numbers for the schools whose
deadlines they already see (the lead: the whole trust; a headteacher or SENCO: their own school's cases, each
of which is on their deadlines page anyway); trustees see the whole trust with small numbers suppressed;
nobody else sees it. Only the inclusion lead writes to an LA for the trust.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from trusts import audit
from trusts.forms import date_field
from trusts.http import AuthedRequest
from trusts.models import School
from trusts.pdf import render_pdf
from trusts.permissions import can, schools_where

from .. import la_record, la_tables

LETTER_TEMPLATE = "reports/la_letter_pdf.html"
REQUEST_LIMIT = 3000
LONGEST_PERIOD_DAYS = 5 * 366
DEFAULT_REQUEST = (
    "Please tell us, within 14 days of this letter, when each step still open will be done, and what you will "
    "change so that these time limits are met in future. Where a step was done late, please tell us why. "
    "Until then we will keep raising these cases with your SEN team."
)


def _audience(request: AuthedRequest) -> tuple[list[School], bool]:
    """The schools whose record the person may read, and whether small numbers must be suppressed."""
    casework = schools_where(request.user, "deadline.view")
    if casework:
        return casework, False
    trust = schools_where(request.user, "trust.dashboard")
    if trust:
        return trust, True
    raise Http404


@login_required
def record_page(request: AuthedRequest) -> HttpResponse:
    schools, protect = _audience(request)
    today = timezone.localdate()
    years = la_record.shown_years(today)
    year = la_tables.chosen_year(request.GET.get("year"), years)
    records = la_record.cached_la_records(schools, today=today)
    tables = la_tables.la_page_tables(records, year=year, years=years, protect=protect)
    trust_wide = can(request.user, "trust.dashboard")
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=request.user.trust,
        summary=f"The local authorities' record, {la_record.year_label(year)}"
        + ("" if trust_wide else f" ({', '.join(s.name for s in schools)})"),
        request=request,
    )
    return render(
        request,
        "reports/la_record.html",
        {
            "tables": tables,
            "protect": protect,
            "year": year,
            "year_label": la_record.year_label(year),
            "years": [(y, la_record.year_label(y)) for y in years],
            "schools": schools,
            "trust_wide": trust_wide,
            "may_write": can(request.user, "trust.casework"),
            "today": today,
        },
    )


class LetterForm(forms.Form):
    local_authority = forms.ChoiceField(
        label="Local authority",
        error_messages={
            "required": "Choose the local authority to write to.",
            "invalid_choice": (
                "Choose one of the local authorities listed: they are those with deadlines at your schools."
            ),
        },
    )
    period_start = date_field("First day of the period", missing="Enter the first day of the period.")
    period_end = date_field("Last day of the period", missing="Enter the last day of the period.")
    request_text = forms.CharField(
        label="What the trust asks the local authority to do",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=REQUEST_LIMIT,
        error_messages={
            "required": "Say what the trust asks the local authority to do.",
            "max_length": f"Keep the request to {REQUEST_LIMIT:,} characters or fewer.",
        },
    )

    def __init__(self, *args: Any, authorities: list[str], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["local_authority"].choices = [("", "Choose a local authority")] + [(a, a) for a in authorities]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if end is not None and end > self.today:
            self.add_error("period_end", "The last day of the period cannot be after today.")
        elif start is not None and end is not None:
            if start > end:
                self.add_error("period_end", "The last day of the period must be on or after the first day.")
            elif (end - start).days > LONGEST_PERIOD_DAYS:
                self.add_error("period_start", "Choose a period of 5 years or less.")
        return data


@login_required
def letter_page(request: AuthedRequest) -> HttpResponse:
    if not can(request.user, "trust.casework"):
        raise Http404
    schools = schools_where(request.user, "trust.casework")
    today = timezone.localdate()
    authorities = la_record.local_authorities(schools, today=today)
    start, end = la_tables.period_of(la_record.shown_years(today)[0], today)
    wanted = request.GET.get("la", "")
    initial = {
        "local_authority": wanted if wanted in authorities else "",
        "period_start": start,
        "period_end": end,
        "request_text": DEFAULT_REQUEST,
    }
    form = LetterForm(request.POST or None, initial=initial, authorities=authorities, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        content = la_record.letter_content(
            schools=schools,
            local_authority=data["local_authority"],
            start=data["period_start"],
            end=data["period_end"],
            today=today,
        )
        if not content.missed:
            la = content.local_authority
            if content.due == 0:
                why = f"No deadline of {la} fell due in this period"
            else:
                why = f"{la} missed none of its deadlines due in this period ({content.due} due)"
            form.add_error(
                "local_authority", f"{why}: there is nothing to escalate. Choose another period or local authority."
            )
        else:
            return _letter_pdf(request, content, data["request_text"])
    return render(request, "reports/la_letter.html", {"form": form, "authorities": authorities})


def _letter_pdf(request: AuthedRequest, content: la_record.LetterContent, request_text: str) -> HttpResponse:
    title = f"Statutory time limits missed – {content.local_authority}"
    pdf = render_pdf(
        template=LETTER_TEMPLATE,
        context={
            "content": content,
            "request_text": request_text,
            "trust": request.user.trust,
            "author": request.user,
        },
        title=title,
    )
    # Each child named (by initials) in the letter has it in their access log; the trust has the letter's.
    summary = f"Escalation letter to {content.local_authority}"
    for pupil_id in content.pupil_ids:
        audit.record(
            actor=request.user, action=audit.Action.EXPORT, pupil_id=pupil_id, summary=summary, request=request
        )
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        obj=request.user.trust,
        summary=f"{summary}: {len(content.missed)} deadlines missed from {content.start:%-d %B %Y} to "
        f"{content.end:%-d %B %Y}",
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    # The LA's name was typed by someone: only letters, digits, spaces and hyphens reach the header.
    name = "".join(c for c in content.local_authority if c.isalnum() or c in " -").strip() or "the local authority"
    filename = f"Letter to {name} {content.today:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
