"""The signature scheme of the exchange, both directions (docs/exchange.md «Signatures»).

Every request carries four headers::

    X-Hotline-Partner:    who is sending (a partner code, or our own id when we push)
    X-Hotline-Timestamp:  Unix time in seconds when the request was signed
    X-Hotline-Message-Id: the message's id (stable across retries: the receiver de-duplicates)
    X-Hotline-Signature:  sha256=<hex HMAC-SHA256 of "<timestamp>.<message id>." + raw body>

The raw body is signed byte for byte. The timestamp and message id are signed with it, so
neither can be changed to slip an old body past the ±5 minute window or the replay check.

Pure Python (no Django): the relay, the inbound API, the reference receiver, the tests and
partners' own code can share it. So its messages are only marked for translation
(``gettext_noop``); the platform translates them (``SignatureError.template`` and ``params``)
in the request's language, the stand-alone receiver shows them as they are (Chinese).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass

from hotline.exchange.error_codes import ExchangeErrorCode

PARTNER = "X-Hotline-Partner"
TIMESTAMP = "X-Hotline-Timestamp"
MESSAGE_ID = "X-Hotline-Message-Id"
SIGNATURE = "X-Hotline-Signature"
PREFIX = "sha256="
DEFAULT_WINDOW_SECONDS = 300


def signature(secret: str, *, timestamp: str, message_id: str, body: bytes) -> str:
    """The ``X-Hotline-Signature`` value for this request."""
    signed = f"{timestamp}.{message_id}.".encode() + body
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return PREFIX + digest


def sign_headers(
    *, secret: str, partner: str, message_id: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    """The four headers of a signed request (``now``: Unix time, for tests)."""
    timestamp = str(int(time.time() if now is None else now))
    return {
        PARTNER: partner,
        TIMESTAMP: timestamp,
        MESSAGE_ID: message_id,
        SIGNATURE: signature(secret, timestamp=timestamp, message_id=message_id, body=body),
    }


def gettext_noop(message: str) -> str:
    """Marks ``message`` for the catalogue (Django's makemessages knows this name) without
    translating it here."""
    return message


class SignatureError(Exception):
    """Why a request was refused; ``code`` is the stable error code of the contract.

    ``message`` is the Chinese text; ``template % params`` with ``template`` translated first
    is the same text in another language."""

    def __init__(self, code: str, template: str, params: dict | None = None) -> None:
        self.code = code
        self.template = template
        self.params = params or {}
        self.message = template % self.params if self.params else template
        super().__init__(self.message)


@dataclass(frozen=True)
class SignedRequest:
    partner: str
    timestamp: int
    message_id: str


def read_headers(headers: Mapping[str, str], *, require_message_id: bool) -> SignedRequest:
    """Check that the signature headers are present and well formed (not yet the HMAC)."""

    def get(name: str) -> str:
        return (headers.get(name) or "").strip()

    partner, timestamp, message_id, sig = (
        get(PARTNER),
        get(TIMESTAMP),
        get(MESSAGE_ID),
        get(SIGNATURE),
    )
    if not partner or not timestamp or not sig or (require_message_id and not message_id):
        missing = [
            name
            for name, value in (
                (PARTNER, partner),
                (TIMESTAMP, timestamp),
                (SIGNATURE, sig),
                (MESSAGE_ID, message_id if require_message_id else "-"),
            )
            if not value
        ]
        raise SignatureError(
            ExchangeErrorCode.MISSING_SIGNATURE,
            gettext_noop("缺少签名请求头：%(headers)s"),
            {"headers": ", ".join(missing)},
        )
    if len(message_id) > 100 or len(partner) > 40:
        raise SignatureError(
            ExchangeErrorCode.INVALID_SIGNATURE_HEADERS, gettext_noop("请求头过长")
        )
    try:
        moment = int(timestamp)
    except ValueError as exc:
        raise SignatureError(
            ExchangeErrorCode.INVALID_SIGNATURE_HEADERS,
            gettext_noop("%(header)s 须为 Unix 时间（秒）"),
            {"header": TIMESTAMP},
        ) from exc
    return SignedRequest(partner=partner, timestamp=moment, message_id=message_id)


def verify(
    headers: Mapping[str, str],
    body: bytes,
    *,
    secret: str,
    now: float | None = None,
    window: int = DEFAULT_WINDOW_SECONDS,
    require_message_id: bool = True,
) -> SignedRequest:
    """Verify a request's signature and freshness; raise ``SignatureError`` if it fails."""
    signed = read_headers(headers, require_message_id=require_message_id)
    current = time.time() if now is None else now
    if abs(current - signed.timestamp) > window:
        raise SignatureError(
            ExchangeErrorCode.STALE_TIMESTAMP,
            gettext_noop("%(header)s 超出允许的时间窗口（±%(window)s 秒），请重新签名"),
            {"header": TIMESTAMP, "window": window},
        )
    raw_timestamp = (headers.get(TIMESTAMP) or "").strip()
    expected = signature(secret, timestamp=raw_timestamp, message_id=signed.message_id, body=body)
    given = (headers.get(SIGNATURE) or "").strip()
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise SignatureError(ExchangeErrorCode.BAD_SIGNATURE, gettext_noop("签名校验失败"))
    return signed
