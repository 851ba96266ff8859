"""The signed engagement webhook: who may post events without an API token.

The sender signs `<timestamp>.<raw body>` with HMAC-SHA256 and the shared secret
(`SCORING_WEBHOOK_SECRET`) and sends `X-Lejek-Timestamp: <unix seconds>` and
`X-Lejek-Signature: sha256=<hex digest>`. Signing the timestamp with the body means an
old request cannot be replayed with a fresh time; requests older (or newer) than the
tolerance are refused, and the event ids make a replay within it harmless.
"""

import hashlib
import hmac
import os
import time

from django.conf import settings

from lejek.core.errors import DomainError, Forbidden

TIMESTAMP_HEADER = "X-Lejek-Timestamp"
SIGNATURE_HEADER = "X-Lejek-Signature"
PREFIX = "sha256="
DEFAULT_TOLERANCE = 300


class BadSignature(DomainError):
    status = 401
    code = "bad_signature"


def secret() -> str:
    return str(
        getattr(settings, "SCORING_WEBHOOK_SECRET", "")
        or os.environ.get("SCORING_WEBHOOK_SECRET", "")
    )


def tolerance() -> int:
    value = getattr(settings, "SCORING_WEBHOOK_TOLERANCE_SECONDS", None)
    if value is None:
        value = os.environ.get("SCORING_WEBHOOK_TOLERANCE_SECONDS", DEFAULT_TOLERANCE)
    return int(str(value))


def sign(body: bytes, timestamp: int | str, key: str) -> str:
    """The signature header value a sender computes (also used by the tests and docs)."""
    message = f"{timestamp}.".encode() + body
    return PREFIX + hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def verify(
    body: bytes, timestamp: str | None, signature: str | None, now: float | None = None
) -> None:
    """Accept the request or raise: 403 when no secret is configured, 401 otherwise."""
    key = secret()
    if not key:
        raise Forbidden("The engagement webhook is off: set SCORING_WEBHOOK_SECRET to turn it on.")
    if not timestamp or not signature:
        raise BadSignature(f"Send the {TIMESTAMP_HEADER} and {SIGNATURE_HEADER} headers.")
    if not (timestamp.isdigit() and len(timestamp) <= 12):
        raise BadSignature(f"{TIMESTAMP_HEADER} must be a Unix time in seconds.")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance():
        raise BadSignature("The request is too old (or its clock is wrong): sign it again.")
    expected = sign(body, timestamp, key)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise BadSignature("The signature does not match the body.")
