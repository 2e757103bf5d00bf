"""Test-only URLs: the product's, plus a page that reads, writes, then reads again under `replica_view`."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from trusts import audit
from trusts.replica import replica_view


@replica_view
def read_write_read(request: HttpRequest) -> JsonResponse:
    from pupils.models import Pupil

    before = Pupil.objects.count()
    audit.record(actor=request.user, action=audit.Action.VIEW, obj=request.user.trust)  # type: ignore[union-attr]
    return JsonResponse({"before": before, "after": Pupil.objects.count()})


urlpatterns = [path("__read_write_read__/", read_write_read), path("", include("config.urls"))]
