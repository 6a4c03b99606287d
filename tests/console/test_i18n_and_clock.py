"""The English catalogue is complete for the console and its compiled .mo is in step with the
.po (the .mo is committed, so a checkout needs no gettext tools); countdown texts."""

from __future__ import annotations

import gettext
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

import hotline
from hotline.core.templatetags.hotline_tags import clock_parts, duration_text

LOCALE = Path(hotline.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def _unquote(parts: list[str]) -> str:
    text = "".join(parts)
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


def po_entries(path: Path) -> list[dict]:
    """A minimal .po reader: msgid, msgid_plural, msgstr/msgstr[n], flags and references."""
    entries, current, key = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current and "msgid" in current:
                entries.append(current)
            current, key = None, None
            continue
        current = current or {"flags": "", "refs": ""}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#:"):
            current["refs"] += line
        elif line.startswith("#"):
            continue
        else:
            match = re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match[1]
                current[key] = [match[2]]
            elif key:
                current[key].append(line.strip()[1:-1])
    for entry in entries:
        for k in list(entry):
            if k.startswith("msg"):
                entry[k] = _unquote(entry[k])
    return entries


ENTRIES = po_entries(LOCALE / "django.po")


def test_every_console_string_has_an_english_translation():
    missing = [
        e["msgid"]
        for e in ENTRIES
        if e["msgid"]
        and ("console/" in e["refs"] or "templates/base.html" in e["refs"])
        and ("fuzzy" in e["flags"] or not (e.get("msgstr") or e.get("msgstr[0]")))
    ]
    assert missing == []


def test_compiled_catalogue_matches_the_po_file():
    with (LOCALE / "django.mo").open("rb") as f:
        mo = gettext.GNUTranslations(f)
    stale = []
    for e in ENTRIES:
        if not e["msgid"] or "fuzzy" in e["flags"]:
            continue
        if "msgid_plural" in e:
            got = [mo.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
            want = [e["msgstr[0]"], e["msgstr[1]"]]
        else:
            got, want = mo.gettext(e["msgid"]), e["msgstr"]
        if want and got != want:
            stale.append(e["msgid"])
    assert stale == [], "recompile: cd src/hotline && hotline compilemessages"


TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 30, 9, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(hours=3, minutes=12), "剩余 3小时12分"),
        (timedelta(minutes=40), "剩余 40分"),
        (timedelta(days=2, hours=5), "剩余 2天5小时"),
        (timedelta(hours=3), "剩余 3小时"),
        (-timedelta(days=2, hours=7), "已超期 2天"),
        (-timedelta(hours=1, minutes=5), "已超期 1小时5分"),
    ],
)
def test_remaining_time_texts(delta, text):
    with translation.override("zh-hans"):
        assert clock_parts(NOW + delta, NOW)[1] == text


def test_clock_colours_and_english():
    assert clock_parts(NOW + timedelta(hours=1), NOW)[0] == "clock-soon"
    assert clock_parts(NOW + timedelta(days=1), NOW)[0] == "clock-ok"
    assert clock_parts(NOW - timedelta(seconds=1), NOW)[0] == "clock-late"
    with translation.override("en"):
        assert duration_text(timedelta(hours=3, minutes=12)) == "3 h 12 min"
        assert clock_parts(NOW - timedelta(days=2), NOW)[1] == "overdue 2 d"
