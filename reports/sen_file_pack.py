"""The SEN file pack: what the receiving SENCO needs when a pupil leaves the trust, beside the CTF.

One PDF (register history, the current EHC plan or support plan, the last reviews, provision, the list of
documents) and a zip with that PDF and the documents themselves (uploaded documents and the EHC plan PDFs).
Rendered here because it reads across apps (register, graduated, ehcp, reviews, pupils' documents). The
CTF itself (the DfE XML) is register's (`register.ctf`). Staff-only documents are included: the pack goes
to the pupil's next school, which takes over their SEN casework (Education (Pupil Information) (England)
Regulations 2005, reg 9: the pupil's educational record follows them)."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from ehcp.models import EhcPlan, PlanVersion
from graduated.queries import evidence_for_pupil
from pupils.models import Document, Pupil
from register.models import RegisterEntry
from register.queries import register_history
from reviews.models import AnnualReview
from trusts.models import User
from trusts.pdf import render_pdf

LAST_REVIEWS = 3


def file_pack_context(*, pupil: Pupil, prepared_by: User) -> dict[str, Any]:
    """Everything the pack shows, in a fixed number of queries."""
    graduated = evidence_for_pupil(pupil)
    cycles = graduated["cycles"]
    plan = (
        EhcPlan.objects.filter(pupil=pupil, ceased_on=None)
        .prefetch_related(Prefetch("versions", queryset=PlanVersion.objects.prefetch_related("outcomes", "provision")))
        .first()
    )
    version = max(plan.versions.all(), key=lambda v: v.number, default=None) if plan else None
    reviews = list(
        AnnualReview.objects.filter(pupil=pupil).exclude(held_on=None).order_by("-held_on", "-pk")[:LAST_REVIEWS]
    )
    support_plan = next((c for c in reversed(cycles) if c["cycle"].is_open), cycles[-1] if cycles else None)
    reviewed = [c for c in reversed(cycles) if c["review"]][:LAST_REVIEWS]
    return {
        "pupil": pupil,
        "entry": RegisterEntry.objects.filter(pupil=pupil).first(),
        "history": list(register_history(pupil)),
        "plan": plan,
        "version": version,
        "support_plan": support_plan,
        "reviewed_cycles": reviewed,
        "annual_reviews": reviews,
        "documents": list(Document.objects.filter(pupil=pupil).order_by("created_at", "pk")),
        "plan_pdfs": [v for v in plan.versions.all() if v.pdf] if plan else [],
        "generated": timezone.now(),
        "prepared_by": prepared_by,
    }


def file_pack_pdf(*, pupil: Pupil, prepared_by: User) -> bytes:
    context = file_pack_context(pupil=pupil, prepared_by=prepared_by)
    return render_pdf(
        template="reports/sen_file_pack.html", context=context, title=f"SEN file pack – {pupil.display_name}"
    )


def _safe_name(name: str) -> str:
    # Names come from uploads: keep them readable but never a path.
    cleaned = re.sub(r"[^\w .()-]+", "_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    return cleaned[:120] or "document"


def file_pack_zip(*, pupil: Pupil, prepared_by: User) -> bytes:
    """The zip: the pack's PDF, then every document and EHC plan PDF, numbered as in the PDF's list.

    A document whose file is missing from storage is listed in MISSING.txt instead of failing the pack."""
    context = file_pack_context(pupil=pupil, prepared_by=prepared_by)
    pdf = render_pdf(
        template="reports/sen_file_pack.html", context=context, title=f"SEN file pack – {pupil.display_name}"
    )
    missing: list[str] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"SEN file pack {pupil.upn}.pdf", pdf)
        for n, document in enumerate(context["documents"], start=1):
            name = f"documents/{n:02d} {_safe_name(document.original_name)}"
            try:
                with document.file.open("rb") as f:
                    archive.writestr(name, f.read())
            except (FileNotFoundError, OSError, ValueError):
                missing.append(f"{n:02d} {document.title}")
        for version in context["plan_pdfs"]:
            name = f"ehc-plan/version {version.number} {_safe_name(version.pdf_name or 'plan.pdf')}"
            try:
                with version.pdf.open("rb") as f:
                    archive.writestr(name, f.read())
            except (FileNotFoundError, OSError, ValueError):
                missing.append(f"EHC plan version {version.number}")
        if missing:
            archive.writestr("MISSING.txt", "Not found in storage:\n" + "\n".join(missing) + "\n")
    return buffer.getvalue()
