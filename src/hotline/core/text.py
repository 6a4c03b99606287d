"""Control characters in free text.

The C0 control characters other than tab, line feed and carriage return (U+0000–U+001F but
``\\t \\n \\r``) mean nothing in an appeal, and XML 1.0 cannot hold them: an xlsx export
(openpyxl ``IllegalCharacterError``), a Word dossier (lxml) and the Open311 XML would fail on
them. Every free-text field is refused at the input when it holds one (``has_control``); the
outputs also drop them (``strip_control``) for rows stored before the check.
"""

from __future__ import annotations

import re

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def has_control(value: str | None) -> bool:
    """Whether ``value`` holds a C0 control character other than tab, LF and CR."""
    return bool(value and CONTROL_RE.search(value))


def strip_control(value: str) -> str:
    """``value`` without those characters (for output only: input is refused instead)."""
    return CONTROL_RE.sub("", value) if value else value
