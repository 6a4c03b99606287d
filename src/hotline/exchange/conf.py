"""Configuration of the exchange that is not a rule of the regulation (those are policy values,
``hotline.core.policy``): identities and defaults, from Django settings or the environment
(12-factor), read when used so tests can override them."""

from __future__ import annotations

import os

from django.conf import settings


def _get(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, "")
    return str(value or default)


def self_id() -> str:
    """Our partner id in outbound pushes (``X-Hotline-Partner``): who is sending."""
    return _get("HOTLINE_EXCHANGE_ID", "zhumadian-12345")


def relay_interval() -> float:
    """Seconds between relay sweeps when there is nothing to send."""
    return float(_get("HOTLINE_RELAY_INTERVAL_SECONDS", "0.5"))


def open311_default_county() -> str:
    """County of an Open311 request that names none and cannot be located (API.md)."""
    return _get("HOTLINE_OPEN311_DEFAULT_COUNTY", "411702")


def open311_jurisdiction() -> str:
    return _get("HOTLINE_OPEN311_JURISDICTION", "zhumadian.gov.cn")


def province_url() -> str:
    return str(getattr(settings, "HOTLINE_PROVINCE_URL", "") or "")


def province_secret() -> str:
    return str(getattr(settings, "HOTLINE_PROVINCE_SECRET", "") or "")
