"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), API.md «Open311».

* ``discovery.json|xml`` — the service discovery document.
* ``services.json|xml`` — the leaves of the appeal category tree (Art 10, Art 21).
* ``services/{code}.json|xml`` — a service definition: two optional attributes,
  ``appeal_type`` (default ``help``) and ``county`` (a county code).
* ``requests.json|xml`` — GET: the requests submitted through Open311, filtered by
  ``service_request_id`` / ``service_code`` / ``start_date`` / ``end_date`` / ``status``;
  POST with ``api_key``: a new ticket (channel ``web``) through ``ticket_intake``.
* ``requests/{id}.json|xml`` — one request (its id is the ticket number).

Errors follow the specification: ``[{"code": 400, "description": "…"}]`` (XML
``<errors><error><code/><description/></error></errors>``) with that HTTP status. The codes
are the specification's; the descriptions (and the other texts written for people: notices,
status notes, the discovery contact) are in the client's language: its language cookie, else
its ``Accept-Language`` (English or Chinese), else Chinese. They name the parameters by their
Open311 names, which are what a client knows.

Citizen data (name, phone, e-mail) is never returned. GET lists only what was submitted
through this public interface: other 12345 tickets are personal data (Art 25). And since a
citizen often writes them into the text itself, the ``description`` and ``address`` a GET
returns are masked (``public_text``): a digit run of 7 or more digits (a phone number, an ID
number, with its final ``X``; in any script or as Chinese numerals, split by any separator)
keeps its first 3 and last 2 digits, the rest are ``*``; house,
building, unit and room numbers (``3号楼2单元501``, ``12号``, ``5-2-301``) become ``***``. The
ticket itself keeps the full text for the staff. Control characters XML cannot hold are
dropped from every output.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree as ET

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.core.text import strip_control
from hotline.exchange import conf, services
from hotline.exchange.models import Open311Request
from hotline.orgs.choices import OrgKind
from hotline.orgs.models import Organisation
from hotline.tickets import services as ticket_services
from hotline.tickets.choices import AppealType, AssignmentRole, AssignmentStatus, TicketStatus
from hotline.tickets.models import Category

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-01T00:00:00+08:00"
DEFAULT_APPEAL_TYPE = AppealType.HELP
MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
DATE_RANGE = (1970, 9000)  # the years a start_date / end_date may name
CLOSED_STATES = frozenset({TicketStatus.CLOSED, TicketStatus.NOT_ACCEPTED})

# Approximate centres of the ten counties of Zhumadian, for requests that only give a point:
# the nearest centre within the city's bounds decides (a county body re-dispatches if wrong).
COUNTY_CENTRES = {
    "411702": (32.97, 114.01),
    "411721": (33.38, 114.02),
    "411722": (33.26, 114.26),
    "411723": (32.96, 114.62),
    "411724": (32.61, 114.39),
    "411725": (32.80, 114.03),
    "411726": (32.72, 113.33),
    "411727": (33.01, 114.36),
    "411728": (33.15, 114.01),
    "411729": (32.75, 114.98),
}
CITY_BOUNDS = ((32.2, 33.8), (112.9, 115.5))  # (lat range, long range)


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# -- masking (Art 25) --------------------------------------------------------------------------

# A number, an optional unit of a house (号楼 before 号: the longest first), repeated:
# "3号楼2单元501", "A座1203室", "人民路12号", "三号楼"; a trailing room number is taken along.
_HOUSE_NUMBER = r"(?:[A-Za-z]?\d+[A-Za-z]?|[A-Za-z]|[一二三四五六七八九十百零〇两]+)"
_HOUSE_UNIT = r"(?:号楼|号院|单元|号|栋|幢|座|层|楼|室|户|#)"
HOUSE_RE = re.compile(
    rf"{_HOUSE_NUMBER}\s*{_HOUSE_UNIT}(?:\s*[-－—]?\s*{_HOUSE_NUMBER}\s*{_HOUSE_UNIT})*"
    rf"(?:\s*[-－—]?\s*\d+(?![\d年月日点时分秒.:：]))?"
)
# building-unit-room written with dashes ("5-2-301"); a date starts with a 4-digit year
DASHED_ROOM_RE = re.compile(r"(?<!\d)\d{1,3}[-－]\d{1,3}[-－]\d{1,4}(?!\d)")
# A phone or ID number however it is written (issue 19 F2): digits of any script (``\d``:
# ASCII and full-width), Chinese numerals as a citizen types them (一三九…, 幺 for 1, the
# financial forms), split by spaces, dashes, dots, slashes, underscores or brackets
# ("139.1234.5670", "(139)12345672", "+86 139-1234-5678"), with an ID number's final X.
# Not commas: "12,345,678元" and lists of numbers stay as they were.
_DIGIT = r"[\d〇零一二三四五六七八九幺壹贰叁肆伍陆柒捌玖]"
_SEPARATOR = r"[ \t\u00a0\u3000\-－—–.．/／\\_＿·・()（）\[\]【】]"
DIGITS_RE = re.compile(
    rf"(?:[+＋]\s?)?[(（]?{_DIGIT}(?:{_SEPARATOR}{{0,4}}{_DIGIT})*(?:[Xx](?![A-Za-z]))?[)）]?"
)
MASKED_HOUSE = "***"
_DIGIT_CHARS = frozenset("〇零一二三四五六七八九幺壹贰叁肆伍陆柒捌玖Xx")


# what stays readable: a date ("2026-03-10", "2026.3.10", "2026/03/10") and an amount with
# its decimals ("12345.50"), as they did before the separators above were added
DATE_RE = re.compile(r"\d{4}(?P<s>[-./ ])\d{1,2}(?P=s)\d{1,2}")
AMOUNT_RE = re.compile(r"\d{1,6}[.．]\d{1,2}")


def _is_digit(ch: str) -> bool:
    return ch.isdigit() or ch in _DIGIT_CHARS


def _mask_digits(match: re.Match) -> str:
    text = match.group(0)
    count = sum(_is_digit(ch) for ch in text)
    if count < 7 or DATE_RE.fullmatch(text) or AMOUNT_RE.fullmatch(text):
        return text
    out, seen = [], 0
    for ch in text:
        if _is_digit(ch):
            seen += 1
            out.append(ch if seen <= 3 or seen > count - 2 else "*")
        else:
            out.append(ch)
    return "".join(out)


def public_text(value: str | None) -> str:
    """A citizen's text as the public GET shows it: house and room numbers removed, phone
    and ID numbers masked (first 3 and last 2 digits kept)."""
    if not value:
        return ""
    # phone-like runs first: a room pattern must not eat the head of "+86-139-1234-5678"
    text = DIGITS_RE.sub(_mask_digits, value)
    text = DASHED_ROOM_RE.sub(MASKED_HOUSE, text)
    return HOUSE_RE.sub(MASKED_HOUSE, text)


# -- rendering ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _when(value) or ""
    return strip_control(str(value))  # XML 1.0 cannot hold them (rows stored before the check)


def _when(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _xml_fill(element: ET.Element, value: Any, item_tags: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _xml_fill(ET.SubElement(element, key), child, item_tags)
    elif isinstance(value, list):
        tag = item_tags.get(element.tag, "item")
        for child in value:
            _xml_fill(ET.SubElement(element, tag), child, item_tags)
    else:
        element.text = _text(value)


ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _clean(value: Any) -> Any:
    """JSON as the XML: without control characters (a client's parser may refuse them)."""
    if isinstance(value, str):
        return strip_control(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def render(data: Any, fmt: str, *, root: str, status: int = 200) -> HttpResponse:
    """JSON as is; XML under ``root`` (lists: one child per item, tags by the spec)."""
    if fmt == "xml":
        element = ET.Element(root)
        _xml_fill(element, data, ITEM_TAGS)
        body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
            element, encoding="utf-8", xml_declaration=False
        )
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    body = json.dumps(_clean(data), ensure_ascii=False, default=_text).encode("utf-8")
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render([{"code": status, "description": description}], fmt, root="errors", status=status)


def endpoint(*methods: str):
    """Allowed methods and errors in the Open311 format for a view."""
    allowed = methods or ("GET",)

    def decorate(view):
        def wrapped(request: HttpRequest, fmt: str = "json", **kwargs) -> HttpResponse:
            # A client program sends no language cookie: its Accept-Language is honoured here
            # (the pages ignore the browser's and start in Chinese).
            with translation.override(translation.get_language_from_request(request)):
                return answer(request, fmt, **kwargs)

        def answer(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            if request.method not in (*allowed, "HEAD"):
                response = error(fmt, 405, _("不支持 %(method)s 方法") % {"method": request.method})
                response["Allow"] = ", ".join(allowed)
                return response
            try:
                jurisdiction = _param(request, "jurisdiction_id")
                if jurisdiction and jurisdiction != conf.open311_jurisdiction():
                    raise Open311Error(
                        404,
                        _("jurisdiction_id %(value)s 不存在") % {"value": jurisdiction},
                    )
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return error(fmt, exc.status, exc.description)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return csrf_exempt(wrapped)

    return decorate


# -- parameters --------------------------------------------------------------------------------


def _body_params(request: HttpRequest) -> dict[str, Any]:
    if request.method != "POST":
        return {}
    if (request.content_type or "").startswith("application/json"):
        try:
            data = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise Open311Error(400, _("请求体不是有效的 JSON")) from exc
        if not isinstance(data, dict):
            raise Open311Error(400, _("请求体必须是 JSON 对象"))
        return data
    # Django decodes a form leniently ("\ufffd" for bytes that are not UTF-8): such a body is
    # malformed, refused before anything is stored (issue 19 F6), as the JSON body is.
    if (request.content_type or "") == "application/x-www-form-urlencoded":
        try:
            parse_qsl(request.body.decode("utf-8"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError as exc:
            raise Open311Error(400, _("请求体不是有效的 UTF-8 编码")) from exc
    form = request.POST.dict()
    if any("\ufffd" in key or "\ufffd" in str(value) for key, value in form.items()):
        raise Open311Error(400, _("请求体不是有效的 UTF-8 编码"))
    return form


def _param(request: HttpRequest, name: str) -> str:
    value = request.GET.get(name)
    if value is None and request.method == "POST":
        value = _body_params(request).get(name)
    return str(value).strip() if value is not None else ""


def _attributes(params: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    nested = params.get("attribute")
    if isinstance(nested, dict):
        found.update({str(k): str(v) for k, v in nested.items()})
    for key, value in params.items():
        if key.startswith("attribute[") and key.endswith("]"):
            found[key[len("attribute[") : -1]] = str(value)
    return found


def _datetime(value: str, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:  # a well-formed but impossible date ("2026-02-30T…")
        moment = None
    if moment is None or timezone.is_naive(moment):
        raise Open311Error(400, _("%(name)s 必须是带时区的 W3C 日期时间") % {"name": name})
    # An offset can push year 1 or 9999 out of datetime's range (OverflowError, a 500 before
    # issue 19 F3); the listing also adds MAX_SPAN on either side of it.
    try:
        moment = moment.astimezone(UTC)
        moment - MAX_SPAN, moment + MAX_SPAN
    except OverflowError:
        moment = None
    if moment is None or not (DATE_RANGE[0] <= moment.year <= DATE_RANGE[1]):
        raise Open311Error(
            400,
            _("%(name)s 超出允许的范围（%(first)s–%(last)s 年）")
            % {"name": name, "first": DATE_RANGE[0], "last": DATE_RANGE[1]},
        )
    return moment


# -- services ----------------------------------------------------------------------------------


def _leaves() -> list[tuple[Category, Category]]:
    """Active categories without active children, each with its top-level ancestor."""
    categories = {c.pk: c for c in Category.objects.filter(active=True)}
    parents = {c.parent_id for c in categories.values() if c.parent_id}
    leaves = []
    for category in sorted(categories.values(), key=lambda c: c.code):
        if category.pk in parents:
            continue
        root = category
        while root.parent_id and root.parent_id in categories:
            root = categories[root.parent_id]
        leaves.append((category, root))
    return leaves


def _service(category: Category, root: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name if root is category else f"{root.name} / {category.name}",
        "metadata": True,
        "type": "realtime",
        "keywords": category.name_en,
        "group": root.name,
    }


def _leaf(code: str) -> Category:
    for category, _root in _leaves():
        if category.code == code:
            return category
    raise Open311Error(404, _("service_code %(value)s 不存在") % {"value": code})


def _counties() -> list[Organisation]:
    return list(Organisation.objects.filter(kind=OrgKind.COUNTY, active=True).order_by("code"))


def _definition(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": "appeal_type",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("默认 %(value)s") % {"value": DEFAULT_APPEAL_TYPE},
                "order": 1,
                "description": _("诉求类型 (appeal type)"),
                "values": [
                    {"key": value, "name": str(label)} for value, label in AppealType.choices
                ],
            },
            {
                "variable": True,
                "code": "county",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("不填时按地址或坐标判断，仍无法判断时为默认县区"),
                "order": 2,
                "description": _("县区 (county)"),
                "values": [
                    {"key": org.code, "name": org.short_name or org.name} for org in _counties()
                ],
            },
        ],
    }


# -- locating a request -------------------------------------------------------------------


def _float(value: str, name: str) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError as exc:
        raise Open311Error(400, _("%(name)s 必须是数字") % {"name": name}) from exc
    if not math.isfinite(number):
        raise Open311Error(400, _("%(name)s 必须是数字") % {"name": name})
    return number


def locate_county(*, explicit: str, address: str, lat: float | None, long: float | None) -> str:
    """The county of a request: the ``county`` attribute, else a county named in the
    address, else the nearest county centre to the point, else the configured default."""
    counties = _counties()
    codes = {org.code for org in counties}
    if explicit:
        if explicit not in codes:
            raise Open311Error(
                400, _("attribute[county] %(value)s 不是县区代码") % {"value": explicit}
            )
        return explicit
    if address:
        aliases = []
        for org in counties:
            names = {org.name, org.short_name, *org.keywords.split()}
            aliases += [(name, org.code) for name in names if name and len(name) >= 2]
        for name, code in sorted(aliases, key=lambda pair: -len(pair[0])):
            if name in address:
                return code
    if lat is not None and long is not None:
        (lat_lo, lat_hi), (long_lo, long_hi) = CITY_BOUNDS
        if lat_lo <= lat <= lat_hi and long_lo <= long <= long_hi:
            known = {code: centre for code, centre in COUNTY_CENTRES.items() if code in codes}
            if known:
                return min(
                    known,
                    key=lambda c: (known[c][0] - lat) ** 2 + (known[c][1] - long) ** 2,
                )
    return conf.open311_default_county()


# -- requests ----------------------------------------------------------------------------------


def _lead(ticket) -> Any:
    for assignment in ticket.assignments.all():
        if (
            assignment.parent_id is None
            and assignment.role == AssignmentRole.LEAD
            and assignment.status != AssignmentStatus.RETURNED
        ):
            return assignment
    return None


def _status_notes(ticket) -> str:
    if ticket.status == TicketStatus.NOT_ACCEPTED:
        return _("不予受理：%(reason)s") % {"reason": ticket.get_not_accepted_reason_display()}
    if ticket.status == TicketStatus.CLOSED:
        return str(ticket.get_close_reason_display())
    return str(ticket.get_status_display())


def _request_out(row: Open311Request) -> dict[str, Any]:
    ticket = row.ticket
    lead = _lead(ticket)
    return {
        "service_request_id": ticket.number,
        "status": "closed" if ticket.status in CLOSED_STATES else "open",
        "status_notes": _status_notes(ticket),
        "service_name": ticket.category.name if ticket.category_id else "",
        "service_code": row.service_code,
        "description": public_text(ticket.content),
        "agency_responsible": lead.org.name if lead else _("驻马店市12345政务服务便民热线中心"),
        "service_notice": "",
        "requested_datetime": _when(ticket.received_at),
        "updated_datetime": _when(ticket.updated_at),
        "expected_datetime": _when(lead.due_at if lead and lead.due_at else None),
        "address": public_text(row.address_string or ticket.address),
        "address_id": "",
        "zipcode": "",
        "lat": row.lat,
        "long": row.long,
        "media_url": row.media_url,
    }


def _requests_qs():
    return Open311Request.objects.select_related("ticket", "ticket__category").prefetch_related(
        "ticket__assignments__org"
    )


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    qs = _requests_qs()
    ids = [i.strip() for i in _param(request, "service_request_id").split(",") if i.strip()]
    if ids:
        qs = qs.filter(ticket__number__in=ids[:MAX_RESULTS])
    else:
        codes = [c.strip() for c in _param(request, "service_code").split(",") if c.strip()]
        if codes:
            qs = qs.filter(service_code__in=codes)
        statuses = {s.strip() for s in _param(request, "status").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status 只能是 open、closed 或两者"))
        if statuses == {"open"}:
            qs = qs.exclude(ticket__status__in=CLOSED_STATES)
        elif statuses == {"closed"}:
            qs = qs.filter(ticket__status__in=CLOSED_STATES)
        start = _datetime(_param(request, "start_date"), "start_date")
        end = _datetime(_param(request, "end_date"), "end_date")
        if start and end and end - start > MAX_SPAN:
            raise Open311Error(
                400,
                _("start_date 与 end_date 相隔不能超过 %(days)s 天") % {"days": MAX_SPAN.days},
            )
        if start and end and end < start:
            raise Open311Error(400, _("end_date 早于 start_date"))
        if end is None:
            end = (start + MAX_SPAN) if start else clock.now()
        if start is None:
            start = end - MAX_SPAN
        qs = qs.filter(requested_at__gte=start, requested_at__lte=end)
    rows = qs.order_by("-requested_at")[:MAX_RESULTS]
    return render([_request_out(row) for row in rows], fmt, root="service_requests")


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    params = _body_params(request)
    params.update({k: v for k, v in request.GET.items() if k not in params})
    now = clock.now()

    def get(name: str) -> str:
        value = params.get(name)
        return str(value).strip() if value is not None else ""

    client = services.client_key_check(get("api_key"), now=clock.real_now())
    if client is None:
        raise Open311Error(403, _("api_key 缺失或无效"))
    code = get("service_code")
    if not code:
        raise Open311Error(400, _("缺少 service_code"))
    category = _leaf(code)
    lat, long = _float(get("lat"), "lat"), _float(get("long"), "long")
    address = get("address_string")[:300]
    if not address and (lat is None or long is None) and not get("address_id"):
        raise Open311Error(400, _("须提供位置：lat 和 long，或 address_string"))
    description = get("description")
    if not description:
        raise Open311Error(400, _("缺少 description"))
    phone = get("phone")
    if not phone:
        raise Open311Error(400, _("缺少 phone（热线中心须回访诉求人）"))
    attributes = _attributes(params)
    appeal_type = attributes.get("appeal_type") or DEFAULT_APPEAL_TYPE
    if appeal_type not in AppealType.values:
        raise Open311Error(
            400,
            _("attribute[appeal_type] %(value)s 不是允许的值") % {"value": appeal_type},
        )
    county = locate_county(
        explicit=attributes.get("county", "").strip(), address=address, lat=lat, long=long
    )
    media_url = get("media_url")[:500]
    try:
        with transaction.atomic():
            result = ticket_services.ticket_intake(
                channel="web",
                appeal_type=appeal_type,
                content=description,
                citizen_name=f"{get('last_name')}{get('first_name')}"[:60],
                citizen_phone=phone,
                county=ticket_services.county_org(county),
                address=address or f"({lat}, {long})",
                category=category,
                actor=services.client_actor(client),
                now=now,
            )
            Open311Request.objects.create(
                ticket=result.ticket,
                client=client,
                service_code=category.code,
                lat=lat,
                long=long,
                address_string=address,
                media_url=media_url if media_url.startswith(("http://", "https://")) else "",
                requested_at=now,
            )
    except DomainError as exc:
        raise Open311Error(400 if exc.status == 422 else exc.status, exc.message) from exc
    notice = _("已受理，工单编号 %(number)s；热线中心将在办理后回访。") % {
        "number": result.ticket.number
    }
    return render(
        [
            {
                "service_request_id": result.ticket.number,
                "service_notice": notice,
                "account_id": None,
            }
        ],
        fmt,
        root="service_requests",
    )


# -- views -------------------------------------------------------------------------------------


@endpoint()
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    url = request.build_absolute_uri("/open311/v2/").rstrip("/")
    data = {
        "changeset": CHANGESET,
        "contact": _("驻马店市12345政务服务便民热线中心（电话 12345）"),
        "key_service": _("向热线中心申请 api_key（管理后台 → Open311 接口密钥）"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(data, fmt, root="discovery")


@endpoint()
def services_view(request: HttpRequest, fmt: str) -> HttpResponse:
    data = [_service(category, root) for category, root in _leaves()]
    return render(data, fmt, root="services")


@endpoint()
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    return render(_definition(_leaf(code)), fmt, root="service_definition")


@endpoint("GET", "POST")
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request, fmt)
    return _list_requests(request, fmt)


@endpoint()
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    row = _requests_qs().filter(ticket__number=request_id).first()
    if row is None:
        raise Open311Error(404, _("service_request_id %(value)s 不存在") % {"value": request_id})
    return render([_request_out(row)], fmt, root="service_requests")


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "xml" if rest.endswith(".xml") else "json"
    with translation.override(translation.get_language_from_request(request)):
        return error(fmt, 404, _("没有这个 Open311 资源"))
