"""`make load`'s pure parts: the step summary and the chart from a known request log, the authenticator codes,
and the seeded accounts (each signs in for real, second factor included, and a TA's session form posts).
The timing itself is measured by `make load`, never asserted here."""

from __future__ import annotations

import csv
import io
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from bench.load import chart, summary, totp

T0 = 1_800_000_000.0  # any fixed Unix time

# Step 0 (5 users, T0 .. T0+30): two sign-ins end at +2 and +4, so pages count from +4 + settle 5 = +9.
# Step 1 (10 users, T0+30 .. T0+60): one sign-in at +31; a page fails at +50.
REQUESTS = [
    (T0 + 1.0, 0, "sign in: page", 40.0, 1),
    (T0 + 2.0, 0, "sign in: password", 600.0, 1),
    (T0 + 4.0, 0, "sign in: password", 700.0, 1),
    (T0 + 8.0, 0, "senco: pupil page", 999.0, 1),  # before the window: not counted
    *[(T0 + 10.0 + i, 0, "senco: home (work list)", float(ms), 1) for i, ms in enumerate(range(100, 300, 10))],
    (T0 + 31.0, 1, "sign in: password", 800.0, 1),
    *[(T0 + 37.0 + i, 1, "ta: log a session (POST)", float(ms), 1) for i, ms in enumerate(range(200, 420, 20))],
    (T0 + 50.0, 1, "parent: portal", 50.0, 0),
]
STEPS = [(0, 5, T0, T0 + 30.0), (1, 10, T0 + 30.0, T0 + 60.0)]
SAMPLES = [(T0 + t, 0.5 + t / 100, 0.1, 0.05, 1.0, 6, 1, 0) for t in range(1, 60)]


def _write(folder: Path, name: str, header: list[str], rows: list[tuple]) -> None:
    with (folder / name).open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows(rows)


@pytest.fixture
def run(tmp_path: Path) -> Path:
    _write(tmp_path, "requests.csv", summary.REQUEST_COLUMNS, REQUESTS)
    _write(tmp_path, "steps.csv", summary.STEP_COLUMNS, STEPS)
    _write(tmp_path, "samples.csv", summary.SAMPLE_COLUMNS, SAMPLES)
    (tmp_path / "server.txt").write_text("gunicorn --worker-class sync --workers 5\n")
    return tmp_path


def test_each_step_counts_pages_after_its_sign_ins_and_every_error(run: Path) -> None:
    data = summary.results({"sync": run}, settle=5.0, p95_ms=300.0)
    first, second = data["configs"][0]["rows"]
    # Step 0: window +9 .. +30 (21 s) holds the 20 home pages 100..290 ms; the 999 ms page at +8 is outside.
    assert first["window_s"] == 21.0 and first["requests"] == 20
    assert first["rps"] == round(20 / 21, 2)
    assert first["median_ms"] == 195.0  # between 190 and 200
    assert first["p95_ms"] == 280.0  # nearest rank: the 19th of 20
    assert (first["errors"], first["sign_ins"], first["sign_in_p95_ms"]) == (0, 2, 700.0)
    # Step 1: window +36 .. +60 (24 s): 11 POSTs 200..400 ms and the failed portal page; p95 the 11th of 12.
    assert second["window_s"] == 24.0 and second["requests"] == 12
    assert second["p95_ms"] == 380.0 and second["errors"] == 1 and second["sign_ins"] == 1
    # Sampler means over the window (+9..+30: gunicorn 0.5 + t/100 for t = 9..30).
    assert first["gunicorn_cores"] == pytest.approx(0.695, abs=0.006)
    assert first["other_cores"] == pytest.approx(1.0 - first["gunicorn_cores"] - 0.15, abs=0.006)
    assert (first["connections"], first["active"], first["lock_waits"]) == (6, 1, 0)
    config = data["configs"][0]
    assert (config["held_users"], config["saturated_at_users"], data["best"]) == (5, 10, "sync")
    # CPU per page: (gunicorn + PostgreSQL cores) x window over both steps' 32 pages.
    cpu_s = sum((r["gunicorn_cores"] + r["postgres_cores"]) * r["window_s"] for r in (first, second))
    assert config["cpu_ms_per_request"] == round(1000 * cpu_s / 32, 1)
    assert config["requests_per_user_s"] == round(32 / (5 * 21 + 10 * 24), 3)
    by_name = {p["name"]: p for p in config["pages"]}
    assert by_name["senco: home (work list)"]["requests"] == 20  # the 999 ms pupil page before the window: none
    assert "senco: pupil page" not in by_name
    assert by_name["sign in: password"] == {
        "name": "sign in: password",
        "requests": 3,
        "median_ms": 700.0,
        "p95_ms": 800.0,
        "errors": 0,
    }
    assert by_name["parent: portal"]["errors"] == 1


def test_no_page_measured_is_over_budget() -> None:
    # Sign-ins took the whole step: nothing measured, which is saturation too.
    requests = [summary.Request(t=T0 + 29, step=0, name="sign in: password", ms=9000.0, ok=True)]
    row = summary.summarise_step(requests, start=T0, end=T0 + 30, settle=5)
    assert row["p95_ms"] is None and row["window_s"] == 0.0
    assert not summary.within_budget(row, 300)


def test_the_table_and_the_chart_carry_the_figures(run: Path) -> None:
    data = summary.results({"sync": run, "gthread": run}, settle=5.0, p95_ms=300.0)
    table = summary.markdown(data)
    assert "| 5 | 0.95 | 195.0 | 280.0 | 0 | 2 (700.0) |" in table
    assert "held **5 users** at 0.95 requests/s; over budget at 10 users" in table
    root = ET.fromstring(chart.svg(data))
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert "p95" in root.find("s:title", ns).text  # type: ignore[union-attr]
    assert "5 users p95 280.0 ms at 0.95 requests/s" in root.find("s:desc", ns).text  # type: ignore[union-attr]
    lines = root.findall("s:polyline", ns)
    assert len(lines) == 4  # p95 and requests/s for each setting
    # x: 10 users is the axis end (nice_max(10) = 10); y: p95 380 ms on a 500 ms axis.
    last = lines[0].get("points", "").split()[-1]
    plot_h = chart.HEIGHT - chart.TOP - chart.BOTTOM
    assert last == f"{chart.WIDTH - chart.RIGHT:.1f},{chart.TOP + plot_h * (1 - 380 / 500):.1f}"


def test_the_code_is_the_one_allauth_accepts() -> None:
    from allauth.mfa.totp.internal.auth import format_hotp_value, generate_totp_secret, hotp_value

    for _ in range(20):
        secret = generate_totp_secret()
        at = random.randrange(10**9, 2 * 10**9)
        assert totp.code(secret, at=at) == format_hotp_value(hotp_value(secret, at // 30))


@pytest.mark.django_db
def test_seeded_people_sign_in_with_their_second_factor_and_a_ta_logs_a_session(settings) -> None:
    from bench.load.accounts import seed_load_accounts
    from graduated.models import Allocation, DeliveryLog
    from reports.management.commands.seed_scale import seed

    settings.MFA_REQUIRED = True  # the production default
    with scopes_disabled():
        seed(1, 200, random.Random(5), io.StringIO())
        data = seed_load_accounts(per_role=2)
    for role, accounts in data["accounts"].items():
        assert len({a["email"] for a in accounts}) == 2
        account = accounts[0]
        assert bool(account["totp_secret"]) == (role != "parent"), role
        client = Client()
        response = client.post("/accounts/login/", {"login": account["email"], "password": data["password"]})
        assert response.status_code == 302, role
        if account["totp_secret"]:
            assert response["Location"] == "/accounts/2fa/authenticate/", role
            response = client.post(response["Location"], {"code": totp.code(account["totp_secret"])})
            assert response.status_code == 302, role
        assert client.get("/").status_code == 200, role
        if role == "ta":
            pupil = account["pupils"][0]
            page = client.get(f"/support/pupils/{pupil}/log/").content.decode()
            choice = re.search(r'name="allocation"[^>]*value="(\d+)"', page)
            assert choice, "the session form offers the pupil's provision"
            form = {
                "allocation": choice.group(1),
                "session_date": timezone.localdate().isoformat(),
                "attended": "yes",
                "note": "ok",
            }
            with scopes_disabled():
                trust_id = Allocation.objects.get(pk=choice.group(1)).trust_id
            with scope(trust=trust_id):
                before = DeliveryLog.objects.count()
            response = client.post(f"/support/pupils/{pupil}/log/", form)
            assert response.status_code == 302
            with scope(trust=trust_id):
                assert DeliveryLog.objects.count() == before + 1
