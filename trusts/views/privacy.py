"""The privacy notice."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "trusts/privacy.html")
