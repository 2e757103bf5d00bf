"""The LA's PDF of an EHC plan: checked by its content, stored only once every other step has succeeded."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from trusts import audit
from trusts.models import User

from ..models import PlanVersion

MAX_PDF_BYTES = 20 * 1024 * 1024


def check_pdf(upload: UploadedFile) -> None:
    """A PDF by its content (it starts with %PDF-), not by its name; at most 20 MB."""
    if upload.size is None or upload.size == 0:
        raise ValidationError({"pdf": "The file is empty: choose the LA's PDF of the plan."})
    if upload.size > MAX_PDF_BYTES:
        raise ValidationError({"pdf": "The file is larger than 20 MB: ask the LA for a smaller PDF."})
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError({"pdf": "The file is not a PDF: upload the plan as the LA sent it, as a PDF."})


def _store_pdf(version: PlanVersion, upload: UploadedFile | None) -> None:
    if upload is None:
        return
    check_pdf(upload)
    name = (upload.name or "plan.pdf").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    version.pdf.save("plan.pdf", upload, save=False)
    version.pdf_name, version.pdf_size = name, upload.size or 0


def _pdf_problems(upload: UploadedFile | None) -> list[str]:
    try:
        if upload is not None:
            check_pdf(upload)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def _store_pdf_last(version: PlanVersion, upload: UploadedFile | None) -> None:
    """Write the PDF once every other step has succeeded, so a refused action leaves no file behind."""
    if upload is not None:
        _store_pdf(version, upload)
        version.save(update_fields=["pdf", "pdf_name", "pdf_size", "updated_at"])


@transaction.atomic
def attach_plan_pdf(*, version: PlanVersion, pdf: UploadedFile, actor: User) -> PlanVersion:
    """Attach (or replace) the LA's PDF of one plan version, checked by its content."""
    _store_pdf(version, pdf)
    version.save(update_fields=["pdf", "pdf_name", "pdf_size", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=version,
        pupil_id=version.plan.pupil_id,
        summary=f"PDF attached to version {version.number}",
    )
    return version
