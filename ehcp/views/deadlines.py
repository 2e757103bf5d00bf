"""Statutory deadlines: the lists, the CSV, one deadline, the rule settings and the calendar feed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django_scopes import scope

from trusts import audit
from trusts.exports import csv_response
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest
from trusts.permissions import can
from trusts.replica import replica_view

from .. import deadlines as engine
from .. import queries, rules, services
from ..calendar import ical_feed
from ..forms import (
    DeadlineFilterForm,
    DeadlineSettingForm,
    ExceptionForm,
    MeetDeadlineForm,
    WaiveForm,
)
from ..models import Deadline, DeadlineSetting, SubjectType


@login_required
def deadlines(request: AuthedRequest) -> HttpResponse:
    """A SENCO's list: overdue, due this week, due in the next 4 weeks."""
    schools = queries.deadline_schools(request.user)
    if not schools:
        raise Http404
    buckets = queries.deadline_buckets(request.user)
    return render(request, "ehcp/deadlines.html", {"buckets": buckets, "schools": schools})


def _filtered(request: AuthedRequest) -> tuple[DeadlineFilterForm, Any]:
    schools = queries.deadline_schools(request.user)
    if not schools:
        raise Http404
    form = DeadlineFilterForm(request.GET or None, schools=schools)
    return form, queries.filtered_deadlines(request.user, form.filters())


@login_required
def deadline_list(request: AuthedRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ehcp/deadline_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
    )


CSV_COLUMNS = [
    "School",
    "Pupil",
    "UPN",
    "Rule",
    "What must happen",
    "Who must act",
    "Trigger date",
    "Statutory date",
    "Internal target",
    "Due",
    "Status",
    "Done on",
    "Late",
    "Exception",
    "Source",
    "Rule wording",
]


@login_required
@replica_view
def deadline_csv(request: AuthedRequest) -> HttpResponse:
    _, qs = _filtered(request)
    count = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal count
        for d in qs.iterator(chunk_size=2000):
            count += 1
            yield [
                d.school.name,
                d.child_label,
                d.pupil.upn if d.pupil else "",
                d.rule_id,
                d.rule.action,
                d.get_responsible_display(),
                d.trigger_date,
                d.statutory_due,
                d.internal_due,
                d.due,
                d.get_status_display(),
                d.met_on,
                "yes" if d.met_late or d.status == Deadline.Status.MISSED else "",
                d.exception_label,
                d.source,
                d.wording,
            ]

    response = csv_response(filename=f"deadlines-{timezone.localdate():%Y-%m-%d}.csv", header=CSV_COLUMNS, rows=rows())
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        obj=None,
        summary=f"Deadlines export ({count} rows)",
        request=request,
    )
    return response


def _deadline_or_404(request: AuthedRequest, pk: int) -> Deadline:
    return get_object_or_404(queries.deadlines_visible_to(request.user), pk=pk)


@login_required
def deadline_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One deadline, its rule and source, and the forms to record that it was met, an exception or a waiver."""
    deadline = _deadline_or_404(request, pk)
    may_change = can(request.user, "deadline.change", deadline)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms: dict[str, Any] = {
        "meet": MeetDeadlineForm(request.POST if action == "meet" else None, prefix="meet"),
        "exception": ExceptionForm(request.POST if action == "exception" else None, deadline=deadline, prefix="exc"),
        "waive": WaiveForm(request.POST if action == "waive" else None, prefix="waive"),
    }
    if request.method == "POST":
        if not may_change or action not in forms:
            raise Http404
        form = forms[action]
        if form.is_valid():
            try:
                if action == "meet":
                    engine.meet_deadline(deadline=deadline, met_on=form.cleaned_data["met_on"], actor=request.user)
                    done = "Recorded as done."
                elif action == "exception":
                    engine.record_exception(
                        deadline=deadline,
                        kind=form.cleaned_data["kind"],
                        evidence=form.cleaned_data["evidence"],
                        actor=request.user,
                    )
                    done = "Exception recorded."
                else:
                    engine.waive_deadline(deadline=deadline, reason=form.cleaned_data["reason"], actor=request.user)
                    done = "Deadline waived."
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect("ehcp:deadline_detail", pk=deadline.pk)
    else:
        audit.record(
            actor=request.user, action=audit.Action.VIEW, obj=deadline, pupil_id=deadline.pupil_id, request=request
        )
    return render(
        request,
        "ehcp/deadline_detail.html",
        {
            "deadline": deadline,
            "rule": deadline.rule,
            "forms": forms,
            "action": action,
            "may_change": may_change,
            "allows_exceptions": bool(rules.allowed_exceptions(deadline.rule_id)),
            "act_link": engine.deadline_link(deadline) if engine.SUBJECT_LINKS.get(deadline.subject_type) else "",
            "subject_link": _subject_link(deadline),
            "today": timezone.localdate(),
        },
    )


def _subject_link(deadline: Deadline) -> str:
    from django.urls import reverse

    if deadline.subject_type == services.ASSESSMENT:
        return reverse("ehcp:assessment_detail", kwargs={"pk": deadline.subject_id})
    if deadline.subject_type == services.PLAN:
        return reverse("ehcp:plan_detail", kwargs={"pk": deadline.subject_id})
    if deadline.subject_type == SubjectType.CONSULTATION:
        return reverse("ehcp:consultation_detail", kwargs={"pk": deadline.subject_id})
    return reverse("ehcp:pupil_ehc", kwargs={"pupil_id": deadline.pupil_id})


def _require_trust_casework(request: AuthedRequest) -> int:
    if not can(request.user, "trust.casework") or request.user.trust_id is None:
        raise Http404
    return request.user.trust_id


@login_required
def settings_list(request: AuthedRequest) -> HttpResponse:
    trust_id = _require_trust_casework(request)
    saved = {s.rule_id: s for s in DeadlineSetting.objects.filter(trust_id=trust_id)}
    rows = [{"rule": rule, "setting": saved.get(rule_id)} for rule_id, rule in rules.RULES.items()]
    return render(request, "ehcp/settings_list.html", {"rows": rows})


@login_required
def setting_edit(request: AuthedRequest, rule_id: str) -> HttpResponse:
    trust_id = _require_trust_casework(request)
    if rule_id not in rules.RULES:
        raise Http404
    rule = rules.get_rule(rule_id)
    setting = DeadlineSetting.objects.filter(trust_id=trust_id, rule_id=rule_id).first()
    initial = {
        "target_amount": setting.target_amount if setting else None,
        "target_unit": setting.target_unit if setting else "weeks",
        "reminder_days": ", ".join(str(d) for d in setting.reminders) if setting and setting.reminder_days else "",
    }
    form = DeadlineSettingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_deadline_setting(
                trust_id=trust_id,
                rule_id=rule_id,
                target_amount=form.cleaned_data["target_amount"],
                target_unit=form.cleaned_data["target_unit"],
                reminder_days=form.cleaned_data["reminder_days"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Settings for {rule_id} saved.")
            return redirect("ehcp:settings")
    return render(
        request,
        "ehcp/setting_edit.html",
        {"rule": rule, "form": form, "no_target": rule_id in engine.NO_TARGET_RULES},
    )


NEW_FEED_URL = "_ehcp_new_calendar_url"


@login_required
def calendar_feed_settings(request: AuthedRequest) -> HttpResponse:
    """Create or revoke the person's secret calendar address (only a hash is kept, so it is shown once)."""
    if not queries.deadline_schools(request.user):
        raise Http404
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_calendar_token(user=request.user)
            messages.success(request, "Your calendar address no longer works.")
        else:
            token = services.create_calendar_token(user=request.user)
            from django.urls import reverse

            request.session[NEW_FEED_URL] = request.build_absolute_uri(
                reverse("ehcp:calendar_feed", kwargs={"token": token})
            )
            messages.success(request, "Your new calendar address is ready. Any older address no longer works.")
        return redirect("ehcp:calendar_feed_settings")
    new_url = request.session.pop(NEW_FEED_URL, "")
    return render(
        request,
        "ehcp/calendar_feed_settings.html",
        {"has_feed": bool(request.user.calendar_token), "new_url": new_url},
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal iCalendar feed: no session, only the secret address. Unknown or revoked: 404."""
    user = services.user_for_calendar_token(token)
    if user is None or user.trust_id is None:
        raise Http404
    with scope(trust=user.trust_id):
        items = list(queries.deadlines_for_calendar(user))
        body = ical_feed(items, base_url=request.build_absolute_uri("/").rstrip("/"))
        # Logged like any read of casework, without the secret address.
        audit.record(
            actor=user,
            action=audit.Action.EXPORT,
            obj=None,
            trust_id=user.trust_id,
            summary=f"Calendar feed fetched ({len(items)} deadlines)",
            request=request,
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response["Cache-Control"] = "no-store, private"
    return response
