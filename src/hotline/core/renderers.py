"""JSON for the API: UTF-8 text (Chinese stays readable) and every time in the platform's
zone with its offset (API.md: ISO 8601 with offset, Asia/Shanghai)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.utils import timezone
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class PlatformJSONEncoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            if timezone.is_aware(o):
                o = timezone.localtime(o)
            return o.isoformat(timespec="seconds")
        return super().default(o)


class PlatformJSONRenderer(JSONRenderer):
    encoder_class = PlatformJSONEncoder
    json_dumps_params = {"ensure_ascii": False}

    def render(self, request, data, *, response_status):
        return json.dumps(data, cls=self.encoder_class, **self.json_dumps_params)
