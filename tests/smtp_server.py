"""A real SMTP server on loopback for the email tests (aiosmtpd), with the faults a mail server has:
refusing one recipient (550), answering "try later" (451), or accepting the connection and never
answering. Messages it accepted are kept, keyed by Message-ID, so a test can count deliveries."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    busy: set[str] = field(default_factory=set)  # recipients answered 451 (once each, then accepted)
    received: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def message_ids(self) -> Counter[str]:
        with self.lock:
            return Counter(m["Message-ID"] for m in self.received)

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(m["To"] for m in self.received)


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address in self.box.refuse:
            return "550 5.1.1 Mailbox unavailable"
        if address in self.box.busy:
            self.box.busy.discard(address)
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.box.lock:
            self.box.received.append(message_from_bytes(envelope.content))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(box: Mailbox | None = None) -> Iterator[tuple[int, Mailbox]]:
    box = box or Mailbox()
    port = _free_port()
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield port, box
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """Accepts TCP connections and never says a word (not even the SMTP greeting)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        listener.close()
