"""URLs of the test provider: django-oauth-toolkit under ``o/`` plus a bare login page at ``/login/``."""

from __future__ import annotations

from django.contrib.auth import authenticate, login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import urls as oauth2_urls

LOGIN_FORM = """<!doctype html>
<title>Test OpenID provider - sign in</title>
<h1>Sign in</h1>
<p>{message}</p>
<form method="post" action="/login/">
  <input type="hidden" name="next" value="{next}">
  <label>Email <input name="username" type="email"></label>
  <label>Password <input name="password" type="password"></label>
  <button type="submit">Sign in</button>
</form>
"""


@csrf_exempt  # test-only provider, driven by requests rather than a browser
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST":
        user = authenticate(
            request,
            username=request.POST.get("username", ""),
            password=request.POST.get("password", ""),
        )
        if user is None:
            page = LOGIN_FORM.format(message="Invalid email or password.", next=escape(next_url))
            return HttpResponse(page, status=401)
        login(request, user)
        return HttpResponseRedirect(next_url)
    return HttpResponse(LOGIN_FORM.format(message="", next=escape(next_url)))


urlpatterns = [
    path("login/", login_view, name="login"),
    path(
        "o/",
        include(
            (oauth2_urls.base_urlpatterns + oauth2_urls.oidc_urlpatterns, oauth2_urls.app_name),
            namespace="oauth2_provider",
        ),
    ),
]
