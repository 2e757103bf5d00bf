"""Start the test OpenID Connect provider as a subprocess and drive its browser side with ``requests``.

    with running_provider(users=[...], clients=[...], tmp_path=tmp_path) as provider:
        provider.issuer                      # "http://127.0.0.1:PORT/o" - allauth's server_url
        callback = provider.authorize(authorize_url, email=..., password=...)

Everything stays on 127.0.0.1, and every HTTP call has a timeout.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 30.0
HTTP_TIMEOUT = 10.0
MAX_HOPS = 10


class ProviderError(RuntimeError):
    """The provider refused a request (bad credentials, bad client, error redirect, ...) or failed to start."""


@dataclass
class Provider:
    base_url: str  # "http://127.0.0.1:PORT"
    log_path: Path
    process: subprocess.Popen[str] = field(repr=False)

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/o"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token/"

    @property
    def userinfo_url(self) -> str:
        return f"{self.issuer}/userinfo/"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/.well-known/jwks.json"

    def log(self) -> str:
        """The provider's stderr so far (tracebacks of server errors end up here)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def authorize(self, authorize_url: str, *, email: str, password: str) -> str:
        """Follow ``authorize_url`` as a fresh browser would, signing in at /login/ when asked.

        Returns the final redirect Location (the client's redirect_uri with ``code`` and ``state``) without
        following it. Raises :class:`ProviderError` with the provider's response text on any refusal.
        """
        if not _same_origin(authorize_url, self.base_url):
            raise ValueError(f"{authorize_url!r} is not on the provider {self.base_url}")
        url = authorize_url
        with requests.Session() as session:
            session.trust_env = False  # no proxies for loopback
            response = session.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
            for _ in range(MAX_HOPS):
                if not response.is_redirect:
                    raise ProviderError(
                        f"provider answered {response.status_code} at {url}: {response.text.strip()[:2000]}"
                    )
                url = urljoin(url, response.headers["Location"])
                if not _same_origin(url, self.base_url):
                    query = parse_qs(urlsplit(url).query)
                    if "error" in query:
                        raise ProviderError(f"provider redirected with an error: {url}")
                    return url
                parts = urlsplit(url)
                if parts.path == "/login/":
                    next_url = parse_qs(parts.query).get("next", ["/"])[0]
                    url = f"{self.base_url}/login/"
                    response = session.post(
                        url,
                        data={"username": email, "password": password, "next": next_url},
                        allow_redirects=False,
                        timeout=HTTP_TIMEOUT,
                    )
                else:
                    response = session.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
        raise ProviderError(f"too many redirects inside the provider, last at {url}")


def _same_origin(url: str, base_url: str) -> bool:
    a, b = urlsplit(url), urlsplit(base_url)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@contextmanager
def running_provider(
    *,
    users: Sequence[Mapping[str, Any]],
    clients: Sequence[Mapping[str, Any]],
    tmp_path: Path,
    startup_timeout: float = STARTUP_TIMEOUT,
) -> Iterator[Provider]:
    """Run a fresh provider with these users and clients for the duration of the ``with`` block.

    ``users``: ``{"email", "password", "name", "amr": [...]}`` (optional ``"sub"``; default is stable per email).
    ``clients``: ``{"client_id", "client_secret", "redirect_uris": [...]}`` - confidential, authorization code,
    RS256, no consent screen.
    """
    folder = Path(tmp_path) / "oidc-provider"
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "config.json"
    config_path.write_text(json.dumps({"users": list(users), "clients": list(clients)}), encoding="utf-8")
    log_path = folder / "provider.log"

    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "OIDC_PROVIDER_ISSUER"}}
    env["OIDC_PROVIDER_DB"] = str(folder / "provider.sqlite3")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"

    with log_path.open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider.serve", "--config", str(config_path)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
        )
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(process, lines), daemon=True)
    reader.start()
    try:
        base_url = _wait_until_ready(process, lines, log_path, startup_timeout)
        yield Provider(base_url=base_url, log_path=log_path, process=process)
    finally:
        _stop(process)
        reader.join(timeout=5)  # the pipe reaches EOF once the process is gone
        if process.stdout is not None and not reader.is_alive():
            process.stdout.close()


def _read_lines(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)
    lines.put(None)


def _wait_until_ready(
    process: subprocess.Popen[str], lines: queue.Queue[str | None], log_path: Path, timeout: float
) -> str:
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ProviderError(f"provider not READY within {timeout:.0f}s:\n{_tail(log_path)}")
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if line is None:
            process.wait(timeout=5)
            raise ProviderError(f"provider exited with {process.returncode} before READY:\n{_tail(log_path)}")
        if line.startswith("READY "):
            return line.split(maxsplit=1)[1].strip()


def _tail(log_path: Path, limit: int = 4000) -> str:
    text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    return text[-limit:]
