"""Test-only URLs: the product's, plus a probe that tries to escape django-scopes inside a request."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django_scopes import scopes_disabled


def escape_probe(request: HttpRequest) -> JsonResponse:
    from pupils.models import Pupil

    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT trust_id FROM pupils_pupil ORDER BY trust_id")
        raw = [row[0] for row in cursor.fetchall()]
    with scopes_disabled():
        orm = sorted(set(Pupil.objects.values_list("trust_id", flat=True)))
    return JsonResponse({"raw": raw, "orm": orm})


urlpatterns = [path("__probe__/", escape_probe), path("", include("config.urls"))]
