"""MIS import pages: upload, preview with every problem, confirm; and the possible leavers a full import lists.

The uploaded file waits for its confirmation in storage under a random name (`importing.store_upload`);
the preview URL carries a signed token naming that file, the school, the kind of file and the person
who uploaded it, so nothing lives in the session and nobody else can open or confirm the upload.
The preview writes nothing; confirming plans the file again against the database as it is then.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from trusts import audit
from trusts.http import AuthedRequest, require
from trusts.models import School
from trusts.permissions import schools_where

from .. import importing
from ..import_forms import GROUPS, PUPILS, LeaverDecisionForm, UploadForm
from ..queries import pupils_visible_to

TOKEN_SALT = "pupils.import.upload"
TOKEN_MAX_AGE = 4 * 60 * 60
PREVIEW_LIMIT = 200  # rows of new or changed pupils shown on the preview; problems are always all shown


class UploadGone(Exception):
    """The signed upload expired or its file is no longer stored."""


def _token(*, name: str, school: School, kind: str, full: bool, filename: str, user_id: int) -> str:
    payload = {"f": name, "s": school.pk, "k": kind, "full": full, "n": filename[:100], "u": user_id}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def _upload(request: AuthedRequest, token: str) -> tuple[dict[str, Any], School, bytes]:
    """The upload named by the token, its school and content; 404 unless the token is the user's own."""
    expired = False
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        # Genuine but old: still only its uploader hears that it expired.
        data, expired = signing.loads(token, salt=TOKEN_SALT), True
    except signing.BadSignature:
        raise Http404("Page not found") from None
    if not isinstance(data, dict) or data.get("u") != request.user.pk or data.get("k") not in {PUPILS, GROUPS}:
        raise Http404("Page not found")
    school: School = get_object_or_404(School.objects.all(), pk=data.get("s"))
    require(request, "pupils.import", school)
    content = None if expired else importing.load_upload(str(data.get("f", "")))
    if content is None:
        raise UploadGone
    return data, school, content


@login_required
def start(request: AuthedRequest) -> HttpResponse:
    schools = schools_where(request.user, "pupils.import")
    if not schools:
        raise Http404("Page not found")
    form = UploadForm(request.POST or None, request.FILES or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = importing.store_upload(form.content)
        token = _token(
            name=name,
            school=form.chosen_school(),
            kind=form.cleaned_data["kind"],
            full=form.cleaned_data["full"],
            filename=upload.name or "",
            user_id=request.user.pk,
        )
        return redirect("pupils:import_preview", token=token)
    counts = importing.possible_leaver_counts(schools=schools)
    return render(
        request,
        "pupils/import/start.html",
        {
            "form": form,
            "schools": [(s, counts.get(s.pk, 0)) for s in schools],
            "single_school": schools[0] if len(schools) == 1 else None,
            "pupil_columns": importing.PUPIL_COLUMNS,
            "group_columns": importing.GROUP_COLUMNS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def preview(request: AuthedRequest, token: str) -> HttpResponse:
    """GET: what the file would do, with every problem by row and column. POST: import it."""
    try:
        upload, school, content = _upload(request, token)
    except UploadGone:
        messages.error(request, "This upload has expired or has already been imported. Upload the file again.")
        return redirect("pupils:import")
    kind, full, filename = upload["k"], bool(upload.get("full")), str(upload.get("n", ""))
    plan: importing.PupilPlan | importing.GroupPlan
    try:
        if request.method == "POST":
            if kind == PUPILS:
                plan = importing.import_pupils(
                    school=school, content=content, full=full, actor=request.user, source=filename
                )
            else:
                plan = importing.import_groups(school=school, content=content, actor=request.user, source=filename)
        elif kind == PUPILS:
            plan = importing.plan_pupil_import(school=school, content=content, full=full)
        else:
            plan = importing.plan_group_import(school=school, content=content)
    except importing.FileProblem as exc:
        messages.error(request, exc.message)
        return redirect("pupils:import")
    if request.method == "POST":
        importing.discard_upload(str(upload["f"]))
        messages.success(request, f"{filename or 'The file'} was imported into {school.name}: {plan.summary()}.")
        if isinstance(plan, importing.PupilPlan) and plan.new_leavers:
            return redirect("pupils:import_leavers", school_id=school.pk)
        return redirect("pupils:import")
    good_rows = len(plan.table.rows) - plan.rows_not_imported
    more: dict[str, int] = {}
    if isinstance(plan, importing.PupilPlan):
        sizes = {"updated": len(plan.updated), "created": len(plan.created), "leavers": len(plan.new_leavers)}
        more = {key: max(0, size - PREVIEW_LIMIT) for key, size in sizes.items()}
    return render(
        request,
        "pupils/import/preview.html",
        {
            "plan": plan,
            "school": school,
            "kind": kind,
            "full": full,
            "filename": filename,
            "good_rows": good_rows,
            "limit": PREVIEW_LIMIT,
            "more": more,
        },
    )


def _render_leavers(
    request: AuthedRequest, school: School, *, failed: Any = None, form: LeaverDecisionForm | None = None
) -> HttpResponse:
    leavers = list(importing.possible_leavers(school=school))
    errors = [] if form is None else [e for field_errors in form.errors.values() for e in field_errors]
    return render(
        request,
        "pupils/import/leavers.html",
        {
            "school": school,
            "leavers": leavers,
            "failed": failed,
            "failed_errors": errors,
            "failed_data": form.data if form is not None else {},
        },
    )


@login_required
def leavers(request: AuthedRequest, school_id: int) -> HttpResponse:
    school: School = get_object_or_404(School.objects.all(), pk=school_id)
    require(request, "pupils.import", school)
    audit.note_read(request, obj=school, pupil_id=None, summary="Possible leavers (pupils missing from the MIS)")
    return _render_leavers(request, school)


@login_required
@require_POST
def leaver_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    """Confirm that a possible leaver has left (with the date) or is still in school."""
    pupil = get_object_or_404(pupils_visible_to(request.user).select_related("school"), pk=pk)
    require(request, "pupils.import", pupil)
    if pupil.possible_leaver_since is None or pupil.leaving_date is not None:
        messages.info(request, f"{pupil.display_name} is no longer on the list of possible leavers.")
        return redirect("pupils:import_leavers", school_id=pupil.school_id)
    form = LeaverDecisionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "left":
                importing.confirm_leaver(
                    pupil=pupil, leaving_date=form.cleaned_data["leaving_date"], actor=request.user
                )
                note = f"{pupil.display_name} has left: leaving date {pupil.leaving_date:%d/%m/%Y} recorded."
            else:
                importing.keep_on_roll(pupil=pupil, actor=request.user)
                note = f"{pupil.display_name} is still in school and is off the list of possible leavers."
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("leaving_date", message)
        else:
            messages.success(request, note)
            return redirect("pupils:import_leavers", school_id=pupil.school_id)
    return _render_leavers(request, pupil.school, failed=pupil, form=form)
