"""Sign-in: email + password, lock-out, MFA enrolment and challenge, session lifetimes, headers, audit."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
PASSWORD = "send-demo-2026"
LOGIN = "/accounts/login/"


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def test_staff_sign_in_lands_on_their_role_home(demo) -> None:
    client = Client()
    response = sign_in(client, "senco.acorn@oak.test")
    assert response.status_code == 302
    home = client.get(response["Location"])
    assert home.status_code == 200
    assert "Your SEND casework" in home.content.decode()
    assert "Acorn Primary" in home.content.decode()


def test_wrong_password_says_so_and_does_not_sign_in(demo) -> None:
    client = Client()
    response = sign_in(client, "senco.acorn@oak.test", "not-the-password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get("/").status_code == 302


def test_sign_in_and_out_are_audited(demo) -> None:
    client = Client()
    sign_in(client, "senco.acorn@oak.test")
    client.post("/accounts/logout/")
    with scope(trust=demo.oak.pk):
        actions = list(
            AuditEntry.objects.filter(actor=demo.user("senco.acorn@oak.test")).values_list("action", flat=True)
        )
    assert sorted(actions) == ["sign_in", "sign_out"]


def test_repeated_failures_lock_out_that_username_from_that_address(demo, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="127.0.0.9")
    for _ in range(3):
        sign_in(client, "senco.acorn@oak.test", "wrong-password")
    locked = sign_in(client, "senco.acorn@oak.test")  # even the right password
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # Another person from the same address is not locked out.
    assert sign_in(Client(REMOTE_ADDR="127.0.0.9"), "head.acorn@oak.test").status_code == 302


def test_lock_out_ends_after_the_cool_off(demo, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
    client = Client(REMOTE_ADDR="127.0.0.8")
    for _ in range(2):
        sign_in(client, "senco.acorn@oak.test", "wrong-password")
    assert sign_in(client, "senco.acorn@oak.test").status_code == 429
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=31)):
        assert sign_in(client, "senco.acorn@oak.test").status_code == 302


def _current_totp(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_mfa_required_for_staff_enrolment_then_challenge(demo, settings) -> None:
    settings.MFA_REQUIRED = True
    client = Client()
    sign_in(client, "senco.acorn@oak.test")
    # Staff cannot reach casework until they set up an authenticator app.
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()
    activated = client.post(reverse("mfa_activate_totp"), {"code": _current_totp(secret)})
    assert activated.status_code == 302
    assert client.get("/").status_code == 200
    # Recovery codes exist once TOTP is on.
    codes_page = client.get(reverse("mfa_view_recovery_codes"))
    assert codes_page.status_code == 200
    client.post("/accounts/logout/")

    # Next sign-in asks for the code.
    fresh = Client()
    response = sign_in(fresh, "senco.acorn@oak.test")
    assert response["Location"] == reverse("mfa_authenticate")
    assert fresh.get("/").status_code == 302
    bad = fresh.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert bad.status_code == 200
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=60)):
        ok = fresh.post(reverse("mfa_authenticate"), {"code": _current_totp(secret)})
        assert ok.status_code == 302
        assert fresh.get("/").status_code == 200


def test_parents_are_not_forced_to_use_mfa(demo, settings) -> None:
    settings.MFA_REQUIRED = True
    client = Client()
    sign_in(client, "parent.acorn@oak.test")
    assert client.get("/").status_code == 200


def test_idle_session_is_signed_out(demo, settings) -> None:
    settings.SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=30)
    client = Client()
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False):
        sign_in(client, "senco.acorn@oak.test")
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200  # activity keeps the session alive
    with time_machine.travel(start + dt.timedelta(minutes=60), tick=False):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert client.get("/").status_code == 302


def test_absolute_lifetime_ends_an_active_session(demo, settings) -> None:
    settings.SESSION_ABSOLUTE_LIFETIME = dt.timedelta(hours=2)
    client = Client()
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False):
        sign_in(client, "senco.acorn@oak.test")
    for minutes in range(20, 120, 20):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=121), tick=False):
        assert client.get("/").status_code == 302


def test_signed_in_pages_are_never_cached_and_have_a_strict_csp(demo) -> None:
    client = demo.client_for("senco.acorn@oak.test")
    response = client.get("/")
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode()), "inline script found"


def test_password_reset_by_email(demo) -> None:
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": "senco.acorn@oak.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    assert link
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"password1": "a-new-long-password-2026", "password2": "a-new-long-password-2026"},
    )
    assert done.status_code == 302
    assert sign_in(Client(), "senco.acorn@oak.test", "a-new-long-password-2026").status_code == 302


def test_nobody_can_sign_up(demo) -> None:
    response = Client().post(
        reverse("account_signup"), {"email": "new@oak.test", "password1": "x" * 14, "password2": "x" * 14}
    )
    assert response.status_code == 200
    assert "Sign up closed" in response.content.decode() or "closed" in response.content.decode().lower()


def test_activity_is_written_at_most_once_a_minute(demo, settings) -> None:
    """The session row is not rewritten on every page; the idle time-out still counts from real activity."""
    from django.contrib.sessions.models import Session

    settings.SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=30)
    client = Client()
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False):
        sign_in(client, "senco.acorn@oak.test")
        client.get("/")
    key = client.session.session_key
    written = Session.objects.get(session_key=key).session_data
    with time_machine.travel(start + dt.timedelta(seconds=50), tick=False):
        assert client.get("/").status_code == 200
    assert Session.objects.get(session_key=key).session_data == written
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        assert client.get("/").status_code == 200
    assert Session.objects.get(session_key=key).session_data != written
    with time_machine.travel(start + dt.timedelta(minutes=45), tick=False):
        assert client.get("/").status_code == 200  # 25 minutes after the activity written at 20
