"""The school's provision catalogue, its staff rates, and the provision map with its CSV."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join

from trusts import audit
from trusts.exports import csv_response
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest, school_from_request
from trusts.models import School
from trusts.permissions import can, schools_where
from trusts.replica import replica_view

from .. import costs, queries, services
from ..forms import MapFilterForm, ProvisionForm, RatesForm
from ..models import Provision, StaffRole


def _catalogue_url(school: School) -> str:
    return f"{reverse('graduated:catalogue')}?school={school.pk}"


@login_required
def catalogue(request: AuthedRequest) -> HttpResponse:
    school, schools = school_from_request(request, "provision.view")
    rates = queries.rates_for(school)
    return render(
        request,
        "graduated/catalogue.html",
        {
            "school": school,
            "schools": schools,
            "provisions": list(queries.catalogue(school)),
            "staff_roles": [{"label": role.label, "rate": rates.get(role.value)} for role in StaffRole],
            "editor": can(request.user, "plan.change", school),
            "today": timezone.localdate(),
            "weeks": costs.SCHOOL_WEEKS,
        },
    )


@login_required
def provision_new(request: AuthedRequest) -> HttpResponse:
    school, _ = school_from_request(request, "plan.change")
    form = ProvisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provision = services.save_provision(school=school, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{provision.name} added to the catalogue.")
            return redirect(_catalogue_url(school))
    return render(
        request, "graduated/provision_form.html", {"school": school, "form": form, "title": "Add a provision"}
    )


@login_required
def provision_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    provision: Provision = get_object_or_404(
        Provision.objects.filter(school__in=schools_where(request.user, "plan.change")).select_related("school"),
        pk=pk,
    )
    school = provision.school
    form = ProvisionForm.for_provision(provision, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_provision(school=school, actor=request.user, provision=provision, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{provision.name} saved.")
            return redirect(_catalogue_url(school))
    return render(
        request,
        "graduated/provision_form.html",
        {"school": school, "form": form, "title": f"Change {provision.name}", "provision": provision},
    )


@login_required
def rates(request: AuthedRequest) -> HttpResponse:
    school, _ = school_from_request(request, "plan.change")
    form = RatesForm(request.POST or None, rates=queries.rates_for(school))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_rates(school=school, actor=request.user, rates=form.rates())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Staff rates for {school.name} saved.")
            return redirect(_catalogue_url(school))
    return render(request, "graduated/rates.html", {"school": school, "form": form})


def _map(request: AuthedRequest) -> tuple[queries.ProvisionMap, MapFilterForm, list[School]]:
    school, schools = school_from_request(request, "provision.view")
    form = MapFilterForm(request.GET or None)
    pmap = queries.provision_map(school, form.filters())
    impact = queries.provision_impact(pmap.rows, today=timezone.localdate())
    for row in pmap.rows:
        row.impact = impact.get(row.provision.pk, queries.NO_EVIDENCE)
    return pmap, form, schools


@login_required
def provision_map(request: AuthedRequest) -> HttpResponse:
    pmap, form, schools = _map(request)
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=pmap.school,
        summary="Provision map (pupils, provision and costs)",
        request=request,
    )
    query = request.GET.copy()
    query.pop("page", None)
    # 50 pupils a page in the cost table (totals are over all of them); links built without a reverse() each.
    pupil_page = Paginator(pmap.pupils, 50).get_page(request.GET.get("page"))
    pupil_base = reverse("graduated:pupil", args=[0])[: -len("0/")]
    # Each provision's pupils as one escaped string: hundreds of links cost less joined here than looped
    # in the template.
    for row in pmap.rows:
        row.pupil_links = format_html_join(
            ", ",
            '<a class="govuk-link" href="{}{}/">{}</a> <span class="app-meta">({})</span>',
            ((pupil_base, p.pk, p.display_name, p.get_year_group_display()) for p in row.pupils),
        )
    return render(
        request,
        "graduated/provision_map.html",
        {
            "map": pmap,
            "school": pmap.school,
            "schools": schools,
            "form": form,
            "query": query.urlencode(),
            "weeks": costs.SCHOOL_WEEKS,
            "threshold": costs.NOTIONAL_THRESHOLD,
            "pupil_page": pupil_page,
            "pupil_base": pupil_base,
        },
    )


CSV_HEADER = [
    "Provision",
    "Wave",
    "Area of need",
    "Run by",
    "Group size",
    "Sessions a week",
    "Minutes a session",
    f"Hours a year each pupil ({costs.SCHOOL_WEEKS} weeks)",
    "Rate (£ an hour)",
    "Cost a year each pupil (£)",
    "Pupil",
    "UPN",
    "Year",
    "Pupil's total cost a year (£)",
    f"Over £{costs.NOTIONAL_THRESHOLD:,.0f}",
]


@login_required
@replica_view
def provision_map_csv(request: AuthedRequest) -> HttpResponse:
    pmap, _, _ = _map(request)
    if pmap.school is None:
        raise Http404
    rows = queries.provision_map_csv_rows(pmap)
    response = csv_response(
        filename=f"provision-map-{pmap.school.urn}-{timezone.localdate():%Y-%m-%d}.csv", header=CSV_HEADER, rows=rows
    )
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        obj=pmap.school,
        summary=f"Provision map export ({len(rows)} rows)",
        request=request,
    )
    return response


IMPACT_CSV_HEADER = [
    "Provision",
    "Wave",
    "Area of need",
    "Pupils planned",
    "Pupils with scores",
    "Average entry score",
    "Average latest score",
    "Pupils improving",
    "Improving (%)",
    "Points of progress",
    "Cost a year each pupil (£)",
    "Cost per point of progress (£)",
]


@login_required
@replica_view
def provision_impact_csv(request: AuthedRequest) -> HttpResponse:
    pmap, _, _ = _map(request)
    if pmap.school is None:
        raise Http404
    rows = [
        [
            row.provision.name,
            str(row.provision.wave),
            row.provision.get_area_display(),
            str(len(row.pupils)),
            str(row.impact.measured),
            f"{row.impact.entry_mean}" if row.impact.entry_mean is not None else "",
            f"{row.impact.latest_mean}" if row.impact.latest_mean is not None else "",
            str(row.impact.improving),
            str(row.impact.improving_percent) if row.impact.improving_percent is not None else "",
            f"{row.impact.points.normalize():f}",
            f"{row.cost_per_pupil}",
            f"{row.impact.cost_per_point}" if row.impact.cost_per_point is not None else "",
        ]
        for row in pmap.rows
    ]
    response = csv_response(
        filename=f"provision-impact-{pmap.school.urn}-{timezone.localdate():%Y-%m-%d}.csv",
        header=IMPACT_CSV_HEADER,
        rows=rows,
    )
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        obj=pmap.school,
        summary=f"Provision impact export ({len(rows)} provisions)",
        request=request,
    )
    return response
