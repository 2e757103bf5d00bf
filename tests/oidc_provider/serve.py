"""Run the test OpenID Connect provider on a free loopback port.

    python -m tests.oidc_provider.serve --config CONFIG.json [--db PATH]

CONFIG.json::

    {"users": [{"email": ..., "password": ..., "name": ..., "amr": ["pwd", "mfa"], "sub": optional}],
     "clients": [{"client_id": ..., "client_secret": ..., "redirect_uris": [...]}]}

Prints ``READY http://127.0.0.1:<port>`` on stdout once it accepts requests; stops on SIGTERM or SIGINT.
The SQLite file is ``--db``, else ``$OIDC_PROVIDER_DB``, else a new temp folder; it is recreated on every start.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socketserver
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

HOST = "127.0.0.1"


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        if os.environ.get("OIDC_PROVIDER_ACCESS_LOG") == "1":
            super().log_message(format, *args)


def _check_config(config: dict[str, Any]) -> None:
    """Fail fast, before Django starts, on a config that cannot work."""
    for user in config.get("users", []):
        missing = {"email", "password"} - user.keys()
        if missing or not isinstance(user.get("amr", []), list):
            raise SystemExit(f"bad user {user!r}: needs email and password; amr must be a list")
    for client in config.get("clients", []):
        missing = {"client_id", "client_secret", "redirect_uris"} - client.keys()
        if missing or not isinstance(client.get("redirect_uris"), list) or not client.get("redirect_uris"):
            raise SystemExit(f"bad client {client!r}: needs client_id, client_secret and a redirect_uris list")


def _configure_environment(db_path: str | None, issuer: str) -> None:
    # Always override: a parent pytest process exports the main project's DJANGO_SETTINGS_MODULE.
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    os.environ["OIDC_PROVIDER_ISSUER"] = issuer
    db = db_path or os.environ.get("OIDC_PROVIDER_DB")
    if not db:
        db = str(Path(tempfile.mkdtemp(prefix="oidc-provider-")) / "provider.sqlite3")
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(db + suffix).unlink(missing_ok=True)
    os.environ["OIDC_PROVIDER_DB"] = db


def _populate(config: dict[str, Any]) -> None:
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import get_application_model

    from tests.oidc_provider.validators import USER_CLAIMS, default_sub

    user_model = get_user_model()
    for entry in config.get("users", []):
        email = entry["email"]
        name = entry.get("name", "")
        first, _, last = name.partition(" ")
        user_model.objects.create_user(
            username=email, email=email, password=entry["password"], first_name=first, last_name=last
        )
        USER_CLAIMS[email] = {
            "sub": entry.get("sub") or default_sub(email),
            "name": name,
            "amr": list(entry.get("amr", ["pwd"])),
        }

    application_model = get_application_model()
    for entry in config.get("clients", []):
        application_model.objects.create(
            name=entry.get("name", entry["client_id"]),
            client_id=entry["client_id"],
            # Plaintext in; DOT hashes it on save (hash_client_secret=True) and checks it with check_password.
            client_secret=entry["client_secret"],
            hash_client_secret=True,
            client_type=application_model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(entry["redirect_uris"]),
            algorithm=application_model.RS256_ALGORITHM,
            skip_authorization=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True, help="JSON file with users and clients")
    parser.add_argument("--db", help="SQLite file to (re)create")
    args = parser.parse_args(argv)
    started = time.monotonic()
    config = json.loads(Path(args.config).read_text(encoding="utf-8"))
    _check_config(config)

    server = ThreadingWSGIServer((HOST, 0), QuietHandler)
    base_url = f"http://{HOST}:{server.server_port}"
    _configure_environment(args.db, issuer=f"{base_url}/o")

    import django
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    django.setup()
    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    _populate(config)
    server.set_app(get_wsgi_application())

    stop = threading.Event()

    def _request_stop(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    print(f"READY {base_url}", flush=True)
    print(f"oidc provider ready in {time.monotonic() - started:.2f}s at {base_url}", file=sys.stderr, flush=True)
    sys.stdout = sys.stderr  # nobody reads stdout after READY; keep stray output from filling the pipe

    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
