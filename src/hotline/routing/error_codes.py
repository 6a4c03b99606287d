"""Every error code routing (dispatch suggestions) answers with (API.md, Errors): the ``code``
of the JSON error body. The values are the public contract and never change; code and tests use
the members, never the literals. Codes of the platform itself (``not_authenticated``,
``payload_too_large``…) are ``hotline.core``'s."""

from __future__ import annotations

from enum import StrEnum


class RoutingErrorCode(StrEnum):
    MISSING_FIELD = "missing_field"
