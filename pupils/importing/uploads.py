"""Uploaded files kept between the preview and the import, and deleted when stale."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

UPLOAD_DIR = "imports"
UPLOAD_LIFETIME = timedelta(days=1)


def store_upload(content: bytes) -> str:
    """Keep an uploaded file for its preview under a random name; return that name. Tidies up old uploads."""
    delete_stale_uploads()
    return default_storage.save(f"{UPLOAD_DIR}/{secrets.token_hex(16)}.csv", ContentFile(content))


def load_upload(name: str) -> bytes | None:
    """The stored file's content, or None if it has gone (imported, tidied up or never there)."""
    if not name.startswith(f"{UPLOAD_DIR}/") or ".." in name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        data: bytes = handle.read()
    return data


def discard_upload(name: str) -> None:
    if name.startswith(f"{UPLOAD_DIR}/") and ".." not in name:
        default_storage.delete(name)


def delete_stale_uploads() -> int:
    """Delete uploads waiting longer than UPLOAD_LIFETIME for their confirmation (they hold pupils' personal
    data); returns how many. Run on every new upload and daily by Celery beat."""
    try:
        _dirs, files = default_storage.listdir(UPLOAD_DIR)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - UPLOAD_LIFETIME
    deleted = 0
    for name in files:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
        except (FileNotFoundError, NotImplementedError):
            continue
    return deleted
