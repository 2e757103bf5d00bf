"""Simulated people for `make load` (bench/load/run.sh starts locust on this file, headless).

Each simulated person signs in for real with their own account (bench/load/accounts.py): the sign-in page,
email and password, then, for staff, the 6-digit code their authenticator app would show (the production
second factor, nothing relaxed). Then they work with think time: SENCOs open their home page (the work list),
a pupil's page and the deadlines list; teachers open the cause-for-concern form and their concerns; teaching
assistants open a pupil's session form and log a delivered session (a real POST of the form); parents read
the portal; trustees read the trust's figures. Each person comes from their own address through the proxy
(X-Forwarded-For, TRUSTED_PROXY_COUNT=1 as in .env.example), as people behind one proxy do in production:
per-address sign-in rate limits still apply, to each person.

The users ramp in steps (StepShape); every request is written to LOAD_OUT/requests.csv and every step to
LOAD_OUT/steps.csv, for bench/load/summary.py. After each step the shape stops the run once the step broke
the budget (p95 over LOAD_P95_MS or any error): that step is where the server saturates.

Environment: LOAD_ACCOUNTS (the accounts JSON), LOAD_OUT (a folder), LOAD_STEPS (users per step, e.g.
"5,10,20,40"), LOAD_STEP_SECONDS, LOAD_SETTLE_SECONDS, LOAD_SPAWN_RATE, LOAD_P95_MS, LOAD_WARMUP_SECONDS and
LOAD_MAX_SECONDS (the whole run, warm-up included: no step starts that would end after it).
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from locust import LoadTestShape, between, events, task
from locust.contrib.fasthttp import FastHttpUser

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.load import summary  # noqa: E402
from bench.load.totp import code as totp_code  # noqa: E402

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text())
OUT = Path(os.environ["LOAD_OUT"])
STEPS = [int(n) for n in os.environ.get("LOAD_STEPS", "5,10,15,20,30,40,60,80,100,130,160").split(",")]
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", "35"))
SETTLE_SECONDS = float(os.environ.get("LOAD_SETTLE_SECONDS", "5"))
SPAWN_RATE = float(os.environ.get("LOAD_SPAWN_RATE", "5"))
P95_MS = float(os.environ.get("LOAD_P95_MS", "300"))
WARMUP_SECONDS = float(os.environ.get("LOAD_WARMUP_SECONDS", "15"))
MAX_SECONDS = float(os.environ.get("LOAD_MAX_SECONDS", "330"))

OUT.mkdir(parents=True, exist_ok=True)
_requests_file = (OUT / "requests.csv").open("w", newline="")
_requests = csv.writer(_requests_file)
_requests.writerow(summary.REQUEST_COLUMNS)
_steps_file = (OUT / "steps.csv").open("w", newline="")
_steps = csv.writer(_steps_file)
_steps.writerow(summary.STEP_COLUMNS)
_current = {"step": -1}
_records: list[summary.Request] = []  # this run's requests, for the shape's stop rule
_next_account = {role: itertools.count() for role in ACCOUNTS["accounts"]}
_next_address = itertools.count(1)
ALLOCATION = re.compile(r'<input[^>]*name="allocation"[^>]*>')
VALUE = re.compile(r'value="(\d+)"')


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any, **_: Any) -> None:
    if _current["step"] < 0:
        return
    row = summary.Request(t=time.time(), step=_current["step"], name=name, ms=response_time, ok=exception is None)
    _records.append(row)
    _requests.writerow([f"{row.t:.3f}", row.step, row.name, f"{row.ms:.1f}", int(row.ok)])


@events.quitting.add_listener
def _close(**_: Any) -> None:
    _requests_file.close()
    _steps_file.close()


class StepShape(LoadTestShape):
    """WARMUP_SECONDS at the first step's users (not measured: the workers load their templates and the first
    people sign in), then STEPS users for STEP_SECONDS each; stops after the first step over budget, after the
    last step, or at MAX_SECONDS."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list[float] = []

    def tick(self) -> tuple[int, float] | None:
        run_time = self.get_run_time()
        if run_time < WARMUP_SECONDS:
            return STEPS[0], SPAWN_RATE
        index = int((run_time - WARMUP_SECONDS) // STEP_SECONDS)
        if index != _current["step"]:
            if _current["step"] >= 0 and not self.finish_step():
                return None
            if index >= len(STEPS) or run_time + STEP_SECONDS > MAX_SECONDS:
                return None
            _current["step"] = index
            self.started.append(time.time())
        return STEPS[index], SPAWN_RATE

    def finish_step(self) -> bool:
        """Write the step that just ended and say whether it kept within budget."""
        step, end = _current["step"], time.time()
        _steps.writerow([step, STEPS[step], f"{self.started[-1]:.3f}", f"{end:.3f}"])
        _steps_file.flush()
        _requests_file.flush()
        mine = [r for r in _records if r.step == step]
        row = summary.summarise_step(mine, start=self.started[-1], end=end, settle=SETTLE_SECONDS)
        print(f"step {step}: {STEPS[step]} users, {summary.describe(row)}", flush=True)
        return summary.within_budget(row, P95_MS)


class Person(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(2, 6)  # think time between pages
    insecure = True  # the throw-away self-signed certificate of run.sh
    concurrency = 1

    def on_start(self) -> None:
        accounts = ACCOUNTS["accounts"][self.role]
        self.account = accounts[next(_next_account[self.role]) % len(accounts)]
        n = next(_next_address)
        self.address = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
        self.pupils = self.account["pupils"]
        self.sign_in()

    # -- helpers
    def headers(self, referer: str | None = None) -> dict[str, str]:
        headers = {"X-Forwarded-For": self.address}
        if referer is not None:
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.host))
            headers.update({"Origin": origin, "Referer": origin + referer})
        return headers

    def csrf(self) -> str:
        return next(c.value for c in self.client.cookiejar if c.name == "csrftoken")

    def page(self, path: str, name: str) -> str:
        with self.client.get(
            path, name=name, headers=self.headers(), allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{path} answered {response.status_code} {response.headers.get('Location', '')}")
                return ""
            return response.text or ""

    def post(self, path: str, data: dict[str, str], name: str, expect: str) -> bool:
        """POST a form the way a browser does; success is a redirect to `expect` (a path prefix)."""
        body = urlencode({**data, "csrfmiddlewaretoken": self.csrf()})
        headers = {**self.headers(referer=path), "Content-Type": "application/x-www-form-urlencoded"}
        with self.client.post(
            path, data=body, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or not urlsplit(location).path.startswith(expect):
                response.failure(f"{path} answered {response.status_code} to {location!r}, not to {expect}")
                return False
            return True

    def sign_in(self) -> None:
        self.page("/accounts/login/", "sign in: page")
        home = "/accounts/2fa/authenticate/" if self.account["totp_secret"] else "/"
        data = {"login": self.account["email"], "password": ACCOUNTS["password"]}
        if not self.post("/accounts/login/", data, "sign in: password", expect=home):
            return
        if self.account["totp_secret"]:
            self.page(home, "sign in: code page")
            code = {"code": totp_code(self.account["totp_secret"])}
            self.post(home, code, "sign in: code", expect="/")

    def pupil(self) -> int:
        return self.pupils[int(time.time() * 1000) % len(self.pupils)]


class Senco(Person):
    role = "senco"
    weight = 3

    @task(3)
    def home(self) -> None:
        self.page("/", "senco: home (work list)")

    @task(3)
    def pupil_page(self) -> None:
        self.page(f"/pupils/{self.pupil()}/", "senco: pupil page")

    @task(2)
    def deadlines(self) -> None:
        self.page("/ehc/deadlines/", "senco: deadlines list")


class Teacher(Person):
    role = "teacher"
    weight = 3

    @task(2)
    def home(self) -> None:
        self.page("/", "teacher: home")

    @task(2)
    def concern_form(self) -> None:
        self.page("/register/concerns/new/", "teacher: raise a concern (form)")

    @task(1)
    def my_concerns(self) -> None:
        self.page("/register/concerns/mine/", "teacher: my concerns")


class TeachingAssistant(Person):
    role = "ta"
    weight = 2

    @task(1)
    def sessions(self) -> None:
        self.page("/support/sessions/", "ta: sessions list")

    @task(2)
    def log_session(self) -> None:
        if not self.pupils:  # a class with nobody on a support plan: nothing to log
            return
        path = f"/support/pupils/{self.pupil()}/log/"
        form = self.page(path, "ta: log a session (form)")
        allocations = [m.group(1) for tag in ALLOCATION.findall(form) if (m := VALUE.search(tag))]
        if not allocations:
            return
        data = {
            "allocation": allocations[0],
            "session_date": date.today().isoformat(),
            "attended": "yes",
            "note": "Worked well with the visual timetable today.",
            "score": "",
            "missed_reason": "",
        }
        if self.post(path, data, "ta: log a session (POST)", expect=path):
            self.page(path, "ta: log a session (form)")


class Parent(Person):
    role = "parent"
    weight = 2

    @task(1)
    def portal(self) -> None:
        self.page("/family/", "parent: portal")

    @task(2)
    def child(self) -> None:
        self.page(f"/family/child/{self.pupil()}/", "parent: child's page")


class Trustee(Person):
    role = "trustee"
    weight = 1

    @task(2)
    def figures(self) -> None:
        self.page("/figures/trust/", "trustee: trust figures")

    @task(1)
    def home(self) -> None:
        self.page("/", "trustee: home")
