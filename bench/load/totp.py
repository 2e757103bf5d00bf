"""The 6-digit code an authenticator app shows (RFC 6238: HMAC-SHA-1, 30-second steps), as allauth checks it.

No Django here: locust imports it. tests/bench/test_load.py checks it against allauth's own `hotp_value`.
"""

from __future__ import annotations

import base64
import hmac
import struct
import time
from hashlib import sha1

PERIOD = 30


def code(secret: str, at: float | None = None) -> str:
    """The code for base-32 `secret` at Unix time `at` (now by default).

    >>> code(base64.b32encode(b"12345678901234567890").decode(), at=59)  # RFC 6238 appendix B: 94287082
    '287082'
    """
    counter = int(time.time() if at is None else at) // PERIOD
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"
