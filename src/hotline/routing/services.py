"""Routing put to work: suggestions at intake and dispatch, and their record.

* :func:`suggest` — everything the intake form and ``GET /api/v1/routing/suggest`` show: the
  three most likely categories (trained classifier), the county/township (gazetteer), the
  units to dispatch to with a reason each (precedents, dispatch catalogue, a count model of
  past dispatches), similar open tickets to merge (并单) and a possible repeat appeal.
* :func:`record_intake` / :func:`record_dispatch` — called by ``tickets.services`` inside the
  intake and dispatch transactions: store what was suggested and what was chosen, and keep a
  coordinated dispatch as a precedent (Art 14(3)).
* :func:`seed_demo` — the demo catalogue and a first model, for ``hotline seed --demo``.

Nothing here may make an intake or a dispatch fail: a missing or damaged model only means no
category suggestion.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext as _

from hotline.core.policy import policy
from hotline.routing import gazetteer
from hotline.routing.classifier import ModelError
from hotline.routing.duplicates import TicketText, is_repeat, jaccard, shingle_set, similarity
from hotline.routing.models import (
    DispatchRule,
    Precedent,
    RoutingSuggestion,
    SuggestionKind,
    Territorial,
)
from hotline.routing.text import DEFAULT_BOILERPLATE_RE, normalize_for_matching

logger = logging.getLogger(__name__)

MAX_TEXT = 5000
UNIT_LIMIT = 3
DUPLICATE_LIMIT = 5
PRECEDENT_SCAN = 500  # most recent precedents compared with a new ticket
NEIGHBOUR_WEIGHT = 0.5  # score per vote share: below the count model (see docs/routing.md)
OPEN_EXCLUDED = ("closed", "not_accepted")

# precedent id -> character-bigram set of its normalised text (texts never change)
_precedent_grams: dict[int, set[str]] = {}


# -- categories ---------------------------------------------------------------------------------


@dataclass
class CategoryGuess:
    items: list[dict[str, Any]] = field(default_factory=list)
    model_version: str = ""
    message: str = ""


_refused: dict[str, float] = {}  # model file → mtime of a version that failed to load


def _classifier():
    """The serving model; a file that failed to load is not read again until it changes."""
    from hotline.routing.training import current_classifier, current_model_path, models_dir

    directory = models_dir(settings.DATA_DIR)
    path = current_model_path(directory)
    stamp = path.stat().st_mtime if path is not None else 0.0
    if path is not None and _refused.get(str(path)) == stamp:
        raise ModelError(f"{path.name} was refused earlier")
    try:
        return current_classifier(directory, signing_key=settings.SECRET_KEY.encode("utf-8"))
    except ModelError:
        if path is not None:
            _refused[str(path)] = stamp
        raise


def suggest_categories(text: str, k: int = 3) -> CategoryGuess:
    """The ``k`` most likely categories of ``text`` with confidence, best first. No model yet
    (or a damaged one): an empty list and a message, never an error."""
    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        return CategoryGuess(message=_("请输入诉求内容"))
    try:
        clf = _classifier()
    except ModelError as exc:
        from hotline.routing.training import current_model_path, models_dir

        if current_model_path(models_dir(settings.DATA_DIR)) is None:
            return CategoryGuess(
                message=_("尚未训练分类模型，暂无分类推荐（管理员运行 hotline routing train）")
            )
        logger.warning("routing: the category model was refused: %s", exc)
        return CategoryGuess(message=_("分类模型无法加载，暂无分类推荐"))
    except Exception:  # a broken model file must not break intake
        logger.exception("routing: the category model could not be loaded")
        return CategoryGuess(message=_("分类模型无法加载，暂无分类推荐"))
    top = clf.predict_top(text, k=k)
    names = category_names.get()
    items = [
        {"code": code, "name": names[code], "confidence": round(p, 3)}
        for code, p in top
        if code in names
    ]
    return CategoryGuess(items=items, model_version=clf.info.version)


# -- where ----------------------------------------------------------------------------------------


def locate(address: str = "", content: str = "", county: str = "") -> gazetteer.Place:
    return gazetteer.current().locate(address or "", content or "", county_hint=county or "")


# -- units ----------------------------------------------------------------------------------------


@dataclass
class UnitSuggestion:
    code: str
    name: str
    score: float
    reasons: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "score": round(self.score, 3),
            "reasons": self.reasons,
            "sources": self.sources,
        }


def _category_chain(code: str) -> list[str]:
    """``a.b.c`` → ``["a.b.c", "a.b", "a"]`` (the category and its ancestors)."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


class _Snapshot:
    """A value loaded from the database at most every ``seconds`` in this process; edits
    through the ORM clear it at once (signals in ``apps.py``), other processes within
    ``seconds``."""

    def __init__(self, seconds: float, loader) -> None:
        self.seconds = seconds
        self.loader = loader
        self._lock = threading.Lock()
        self._value: Any = None
        self._at = 0.0

    def get(self) -> Any:
        with self._lock:
            now = time.monotonic()
            if self._value is None or now - self._at > self.seconds:
                self._value = self.loader()
                self._at = now
            return self._value

    def clear(self) -> None:
        with self._lock:
            self._value = None


def _load_org_names() -> dict[str, str]:
    from hotline.orgs.models import Organisation

    return dict(Organisation.objects.filter(active=True).values_list("code", "name"))


def _load_catalogue() -> dict[str, list[dict[str, Any]]]:
    by_category: dict[str, list[dict[str, Any]]] = {}
    rules = DispatchRule.objects.filter(active=True).select_related("category", "county", "unit")
    for rule in rules:
        by_category.setdefault(rule.category.code, []).append(
            {
                "pk": rule.pk,
                "category": rule.category.code,
                "category_name": rule.category.name,
                "county": rule.county.code if rule.county_id else "",
                "county_name": (rule.county.short_name or rule.county.name)
                if rule.county_id
                else "",
                "unit": rule.unit.code if rule.unit_id and rule.unit.active else "",
                "territorial": rule.territorial,
                "territorial_label": str(rule.get_territorial_display())
                if rule.territorial
                else "",
                "priority": rule.priority,
            }
        )
    return by_category


def _load_precedents() -> list[tuple[int, int, str, str, set[str]]]:
    rows = (
        Precedent.objects.filter(active=True)
        .order_by("-created_at", "-id")
        .values_list("pk", "ticket_id", "ticket__number", "lead__code", "text")[:PRECEDENT_SCAN]
    )
    out = []
    for pk, ticket_id, number, lead, text in rows:
        grams = _precedent_grams.get(pk)
        if grams is None:
            grams = shingle_set(normalize_for_matching(text, DEFAULT_BOILERPLATE_RE), 2)
            _precedent_grams[pk] = grams
        out.append((pk, ticket_id, number, lead, grams))
    if len(_precedent_grams) > 4 * PRECEDENT_SCAN:
        _precedent_grams.clear()
    return out


def _load_category_names() -> dict[str, str]:
    from hotline.tickets.models import Category

    return dict(Category.objects.filter(active=True).values_list("code", "name"))


org_names = _Snapshot(300, _load_org_names)
category_names = _Snapshot(300, _load_category_names)
catalogue = _Snapshot(60, _load_catalogue)
precedents = _Snapshot(60, _load_precedents)
HISTORY_SECONDS = 300


def refresh_learned() -> None:
    """The models learned from past dispatches read the newest ones at the next suggestion,
    not only after their real-time refresh intervals: for a history played faster than real
    time (the demo), where minutes of the clock are days of dispatches."""
    history.clear()
    from hotline.routing.unit_index import history as dispatch_history

    dispatch_history.expire()


def clear_caches() -> None:
    """Forget every cached table (tests, and after bulk edits)."""
    org_names.clear()
    category_names.clear()
    catalogue.clear()
    precedents.clear()
    history.clear()
    _precedent_grams.clear()
    from hotline.routing.unit_index import history as dispatch_history

    dispatch_history.reset()


def catalogue_matches(
    category: str, county: str = "", township: str = ""
) -> list[tuple[str, str, dict[str, Any]]]:
    """Units the dispatch catalogue names for this category and territory, in precedence
    order: the ticket's own county before everywhere, the exact category before a parent
    category, then priority. Returns (unit code, reason, rule)."""
    if not category:
        return []
    chain = _category_chain(category)
    table = catalogue.get()
    rules = [
        r
        for code in chain
        for r in table.get(code, ())
        if not r["county"] or (county and r["county"] == county)
    ]
    rules.sort(
        key=lambda r: (0 if r["county"] else 1, chain.index(r["category"]), r["priority"], r["pk"])
    )
    out: list[tuple[str, str, dict[str, Any]]] = []
    for rule in rules:
        if rule["unit"]:
            code = rule["unit"]
        elif rule["territorial"] == Territorial.TOWNSHIP and township:
            code = township
        elif rule["territorial"] in (Territorial.TOWNSHIP, Territorial.COUNTY) and county:
            code = county
        else:
            continue
        reason = _("派单目录规则：%(cat)s（%(where)s）") % {
            "cat": rule["category_name"],
            "where": rule["county_name"] or _("全市"),
        }
        if not rule["unit"]:
            reason += " · " + rule["territorial_label"]
        out.append((code, reason, rule))
    return out


def precedent_matches(
    text: str, *, exclude_ticket: int | None = None
) -> list[tuple[str, str, float]]:
    """Saved coordinated decisions whose text is similar to ``text`` (bigram Jaccard of the
    normalised texts ≥ policy ``routing_precedent_similarity``), most similar first.
    Returns (ticket number, lead unit code, similarity)."""
    threshold = policy("routing_precedent_similarity")
    norm = normalize_for_matching(text, DEFAULT_BOILERPLATE_RE)
    if not norm:
        return []
    grams = shingle_set(norm, 2)
    found = []
    for _pk, ticket_id, number, lead, other in precedents.get():
        if ticket_id == exclude_ticket:
            continue
        score = jaccard(grams, other)
        if score >= threshold:
            found.append((number, lead, score))
    found.sort(key=lambda f: -f[2])
    return found


def _load_history() -> dict[tuple[str, str], dict[str, int]]:
    """(category, county) → {lead unit: count}, and (category, "") for the whole city: the
    top-level lead assignments that were not returned (one aggregate query)."""
    from hotline.tickets.choices import AssignmentRole, AssignmentStatus
    from hotline.tickets.models import Assignment

    rows = (
        Assignment.objects.filter(
            role=AssignmentRole.LEAD, parent__isnull=True, ticket__category__isnull=False
        )
        .exclude(status=AssignmentStatus.RETURNED)
        .values_list("ticket__category__code", "ticket__county__code", "org__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    table: dict[tuple[str, str], dict[str, int]] = {}
    for category, county, org, n in rows:
        for key in ((category, county), (category, "")):
            counts = table.setdefault(key, {})
            counts[org] = counts.get(org, 0) + n
    return table


history = _Snapshot(HISTORY_SECONDS, _load_history)


def history_model(category: str, county: str = "") -> tuple[list[tuple[str, float]], int]:
    """A count model learned from past dispatches: the share of each lead unit among the
    category's top-level lead assignments that were not returned, in this county (backing off
    to the whole city when the county has fewer than 5). → ([(code, share)], n). The counts
    are reloaded every ``HISTORY_SECONDS``."""
    if not category:
        return [], 0
    table = history.get()
    counts = table.get((category, county), {}) if county else {}
    if sum(counts.values()) < 5:
        counts = table.get((category, ""), {})
    total = sum(counts.values())
    if not total:
        return [], 0
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    return [(code, n / total) for code, n in ranked], total


@dataclass(frozen=True)
class NeighbourVote:
    code: str
    share: float  # of the similarity-weighted vote
    votes: int
    example: str  # ticket number of the most similar past ticket that went to this unit


def neighbour_model(
    text: str,
    *,
    county: str = "",
    now: datetime | None = None,
    exclude_ticket: int | None = None,
) -> tuple[list[NeighbourVote], int]:
    """The text model of past dispatches: the past tickets most like this one (policy
    ``routing_neighbour_count`` of them, similarity ≥ ``routing_neighbour_similarity``, from the
    last ``routing_neighbour_window_days``) vote for the lead unit they finally went to (a
    returned dispatch does not count), weighted by similarity; in the ticket's county when
    three or more of them are there. → ([vote], number of similar tickets)."""
    from hotline.routing.unit_index import history as dispatch_history
    from hotline.routing.unit_index import vote
    from hotline.tickets.models import Ticket

    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        return [], 0
    if now is None:
        from django.utils import timezone

        now = timezone.now()
    since = (now - timedelta(days=policy("routing_neighbour_window_days"))).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    found = dispatch_history.neighbours(
        text,
        since=since,
        k=policy("routing_neighbour_count"),
        threshold=policy("routing_neighbour_similarity"),
        exclude=exclude_ticket,
    )
    if not found:
        return [], 0
    ranked = vote(found, group=county)
    n = sum(v.count for v in ranked)
    votes = ranked[:UNIT_LIMIT]
    numbers = dict(
        Ticket.objects.filter(pk__in=[v.example for v in votes]).values_list("pk", "number")
    )
    return [NeighbourVote(v.label, v.share, v.count, numbers.get(v.example, "")) for v in votes], n


def suggest_units(
    text: str,
    *,
    category: str = "",
    county: str = "",
    township: str = "",
    exclude_ticket: int | None = None,
    limit: int = UNIT_LIMIT,
    now: datetime | None = None,
) -> list[UnitSuggestion]:
    """Lead units for a ticket, best first, each with why: a precedent (先例), the dispatch
    catalogue (派单目录), the text model of similar past dispatches and the count model of the
    category's past dispatches (模型). A unit named by several sources collects their reasons,
    and their evidence adds up as a noisy-OR: 1 − Π(1 − score), so two sources agreeing on a
    unit outweigh one alone (on the last 600 dispatches of the 60-day demo the first
    suggestion was the unit chosen 424 times, against 404 when the best score only got a
    small bonus)."""
    found: dict[str, UnitSuggestion] = {}

    def add(code: str, score: float, reason: str, source: str) -> None:
        score = min(score, 0.99)
        s = found.get(code)
        if s is None:
            found[code] = UnitSuggestion(code, "", score, [reason], [source])
            return
        s.score = 1 - (1 - s.score) * (1 - score)
        if reason not in s.reasons:
            s.reasons.append(reason)
        if source not in s.sources:
            s.sources.append(source)

    for number, lead, sim in precedent_matches(text, exclude_ticket=exclude_ticket)[:3]:
        add(
            lead,
            0.6 + 0.4 * sim,
            _("先例：工单 %(n)s（协调派单，相似度 %(s).2f）") % {"n": number, "s": sim},
            "precedent",
        )
    for i, (code, reason, _rule) in enumerate(catalogue_matches(category, county, township)[:3]):
        add(code, 0.9 - 0.1 * i, reason, "catalogue")
    votes, similar = neighbour_model(text, county=county, now=now, exclude_ticket=exclude_ticket)
    for v in votes:
        if v.share >= 0.1:
            # one similar ticket is an anecdote: full weight from three on
            add(
                v.code,
                NEIGHBOUR_WEIGHT * v.share * min(1.0, similar / 3),
                _("模型 %(p).2f（相似历史工单 %(n)d 件，如 工单 %(x)s）")
                % {"p": v.share, "n": similar, "x": v.example},
                "neighbours",
            )
    shares, n = history_model(category, county)
    for code, share in shares[:3]:
        if share >= 0.1:
            add(
                code,
                0.8 * share,
                _("模型 %(p).2f（同类历史派单 %(n)d 件）") % {"p": share, "n": n},
                "model",
            )
    names = org_names.get()
    ranked = sorted(
        (s for s in found.values() if s.code in names), key=lambda s: (-s.score, s.code)
    )
    for s in ranked:
        s.name = names[s.code]
    return ranked[:limit]


# -- duplicates and repeats -----------------------------------------------------------------------


def similar_open_tickets(
    text: str,
    *,
    county: str = "",
    now: datetime,
    exclude_ticket: int | None = None,
    limit: int = DUPLICATE_LIMIT,
) -> list[dict[str, Any]]:
    """并单 proposals: open tickets from the last ``routing_merge_window_days`` about the same
    matter (MinHash estimate ≥ ``routing_merge_similarity``) in the same county when known —
    whoever called. Verified against the database, best first."""
    from hotline.routing.ticket_index import history as ticket_history
    from hotline.tickets.models import Ticket

    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        return []
    threshold = policy("routing_merge_similarity")
    since = now - timedelta(days=policy("routing_merge_window_days"))
    hits = dict(ticket_history.matches(text, threshold, since=since, limit=200))
    hits.pop(exclude_ticket, None)
    if not hits:
        return []
    qs = (
        Ticket.objects.filter(pk__in=list(hits), received_at__gte=since, received_at__lte=now)
        .exclude(status__in=OPEN_EXCLUDED)
        .select_related("county", "incident")
        .only(*ROW_FIELDS)
    )
    if county:
        qs = qs.filter(county__code=county)
    rows = []
    for t in qs:
        exact = similarity(text, t.content, shingle_size=3)
        if exact < threshold:
            continue  # a stale index entry or an estimate just above the line
        rows.append((exact, t))
    rows.sort(key=lambda r: (-r[0], -r[1].received_at.timestamp()))
    return [_ticket_row(t, s) for s, t in rows[:limit]]


ROW_FIELDS = (
    "number",
    "status",
    "content",
    "received_at",
    "repeat_of_id",
    "county__code",
    "county__name",
    "county__short_name",
    "incident__title",
)


def _ticket_row(t, score: float, **extra: Any) -> dict[str, Any]:
    return {
        "number": t.number,
        "similarity": round(score, 3),
        "status": t.status,
        "county": t.county.code,
        "county_name": t.county.short_name or t.county.name,
        "received_at": t.received_at.isoformat(),
        "content": t.content[:120],
        "incident": t.incident_id,
        "incident_title": t.incident.title if t.incident_id else "",
        **extra,
    }


def repeat_candidate(
    text: str,
    *,
    phone: str,
    county: str,
    now: datetime,
    exclude_ticket: int | None = None,
    within=None,
) -> dict[str, Any] | None:
    """The ticket this one would be a repeat appeal of (same caller, same county, similar
    substance within the window — the rule ``tickets.services.find_repeat_of`` applies),
    among ``within`` (a ticket queryset; every ticket without it).

    This is the engine: it answers whoever asks, so what it finds tells the caller's phone.
    Anything that shows its answer to a person goes through ``repeat_for``."""
    found = _repeat_match(
        text, phone=phone, county=county, now=now, exclude_ticket=exclude_ticket, within=within
    )
    if found is None:
        return None
    t, score = found
    return _ticket_row(t, score, repeat_of=t.repeat_of_id is not None)


def _repeat_match(text: str, *, phone: str, county: str, now: datetime, exclude_ticket, within):
    from hotline.tickets.models import Ticket

    if not (phone or "").strip() or not county or not (text or "").strip():
        return None
    since = now - timedelta(days=policy("art9_repeat_window_days"))
    pool = Ticket.objects.all() if within is None else within
    earlier = list(
        pool.filter(
            citizen_phone=phone.strip(),
            county__code=county,
            received_at__gte=since,
            received_at__lte=now,
        )
        .exclude(pk=exclude_ticket or 0)
        .select_related("county", "incident")
        .only(*ROW_FIELDS)
        .order_by("-received_at")[:50]
    )
    match = is_repeat(
        TicketText(None, text),
        (TicketText(t.pk, t.content) for t in earlier),
        same_phone=False,
        same_county=False,
        threshold=policy("art9_repeat_similarity"),
    )
    if match is None:
        return None
    return next(t for t in earlier if t.pk == match.id), match.similarity


REPEAT_PURPOSE = "repeat_check"  # CitizenDataAccess.purpose of a repeat shown at intake


def repeat_for(user, text: str, *, phone: str, county: str, now: datetime) -> dict[str, Any] | None:
    """``repeat_candidate`` for a person (Art 25). A match tells that the phone is the caller
    of the ticket found, so the phone is looked up only for roles that may see citizen data
    (``tickets.selectors.can_see_citizen``, as the caller history and the phone search); for
    anyone else the phone is ignored and there is never a repeat, whatever phone they try.
    The candidates are the tickets whose citizen the user may see
    (``selectors.citizen_visible_tickets``: within their scope, never a confidential ticket
    for a user who may not see its citizen, Art 15(4)). A repeat shown is logged in
    ``CitizenDataAccess`` (purpose ``repeat_check``) against the ticket found."""
    from hotline.tickets import selectors
    from hotline.tickets.models import CitizenDataAccess

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not (phone or "").strip() or not selectors.can_see_citizen(user):
        return None
    within = selectors.citizen_visible_tickets(user)
    found = _repeat_match(
        text, phone=phone, county=county, now=now, exclude_ticket=None, within=within
    )
    if found is None:
        return None
    t, score = found
    CitizenDataAccess.objects.create(user=user, ticket=t, at=now, purpose=REPEAT_PURPOSE)
    return _ticket_row(t, score, repeat_of=t.repeat_of_id is not None)


# -- everything at once --------------------------------------------------------------------------


def suggest(
    *,
    text: str,
    address: str = "",
    county: str = "",
    phone: str = "",
    category: str = "",
    now: datetime,
    user=None,
) -> dict[str, Any]:
    """The whole suggestion for a ticket being typed (intake form, API), for ``user``: the
    repeat appeal (keyed on the phone) only for a user who may see citizen data (see
    ``repeat_for``); without a user there is none."""
    text = (text or "")[:MAX_TEXT]
    cats = suggest_categories(text)
    place = locate(address, text, county)
    county_code = county or place.county
    chosen_category = category or (cats.items[0]["code"] if cats.items else "")
    units = suggest_units(
        text, category=chosen_category, county=county_code, township=place.township, now=now
    )
    repeat = repeat_for(user, text, phone=phone, county=county_code, now=now) if phone else None
    duplicates = similar_open_tickets(text, county=county_code, now=now)
    return {
        "categories": cats.items,
        "model_version": cats.model_version,
        "message": cats.message,
        "place": place.as_dict(),
        "units": [u.as_dict() for u in units],
        "duplicates": duplicates,
        "repeat": repeat,
    }


# -- record (inside the intake / dispatch transaction) ------------------------------------------


def _record(
    ticket,
    kind: str,
    suggested: list[str],
    reasons: list,
    chosen: str,
    version: str,
    actor,
    now,
    sources: list | None = None,
) -> RoutingSuggestion | None:
    if not suggested:
        return None
    rank = suggested.index(chosen) + 1 if chosen in suggested else None
    return RoutingSuggestion.objects.create(
        ticket=ticket,
        kind=kind,
        suggested=suggested,
        reasons=reasons,
        sources=sources or [],
        chosen=chosen or "",
        accepted=rank is not None,
        rank=rank,
        model_version=version,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
    )


def record_intake(*, ticket, actor, now: datetime) -> RoutingSuggestion | None:
    """The category suggestion for the ticket's text and the category the agent chose."""
    cats = suggest_categories(ticket.content)
    codes = [c["code"] for c in cats.items]
    chosen = ticket.category.code if ticket.category_id else ""
    return _record(
        ticket,
        SuggestionKind.CATEGORY,
        codes,
        [c["confidence"] for c in cats.items],
        chosen,
        cats.model_version,
        actor,
        now,
    )


def record_dispatch(
    *, ticket, lead, assists: Sequence = (), coordinated: bool, actor, now: datetime
) -> RoutingSuggestion | None:
    """The unit suggestion for the ticket and the lead unit chosen; a coordinated dispatch is
    kept as a precedent (Art 14(3): later similar tickets are dispatched the same way)."""
    category = ticket.category.code if ticket.category_id else ""
    place = locate(ticket.address, ticket.content, ticket.county.code)
    units = suggest_units(
        ticket.content,
        category=category,
        county=ticket.county.code,
        township=place.township if place.county == ticket.county.code else "",
        exclude_ticket=ticket.pk,
        now=now,
    )
    record = _record(
        ticket,
        SuggestionKind.UNIT,
        [u.code for u in units],
        [u.reasons for u in units],
        lead.code,
        "",
        actor,
        now,
        sources=[u.sources for u in units],
    )
    if coordinated:
        fields = {
            "category": ticket.category,
            "county": ticket.county,
            "text": ticket.content,
            "lead": lead,
            "assists": [a.code for a in assists],
            "created_at": now,
            "created_by": actor if getattr(actor, "pk", None) else None,
            "active": True,
        }
        # the ticket row is locked by the dispatch: no race on its one precedent
        if Precedent.objects.filter(ticket=ticket).update(**fields):
            precedents.clear()  # update() sends no post_save
        else:
            Precedent.objects.create(ticket=ticket, **fields)
    return record


# -- demo ----------------------------------------------------------------------------------------


def seed_demo_catalogue() -> int:
    """The dispatch catalogue of the demo topics (each topic's first unit, then its second),
    unless the catalogue already has lines. Returns the number of lines created."""
    from hotline.orgs.models import Organisation
    from hotline.tickets.demo_topics import TOPICS
    from hotline.tickets.models import Category

    if DispatchRule.objects.exists():
        return 0
    categories = {c.code: c for c in Category.objects.all()}
    orgs = {o.code: o for o in Organisation.objects.filter(active=True)}
    created = 0
    seen: set[tuple[str, str]] = set()
    for topic in TOPICS:
        category = categories.get(topic.get("category", ""))
        if category is None:
            continue
        for priority, token in enumerate(topic.get("units", [])[:2], start=1):
            if (category.code, token) in seen:
                continue
            seen.add((category.code, token))
            if token in ("county", "township"):
                DispatchRule.objects.create(
                    category=category, territorial=token, priority=priority, note="demo"
                )
            elif token in orgs:
                DispatchRule.objects.create(
                    category=category, unit=orgs[token], priority=priority, note="demo"
                )
            else:
                continue
            created += 1
    return created


def train_demo_model() -> dict[str, Any]:
    """Train the next category model from the closed tickets when there is none yet, or when
    the current one (trained from tickets) has seen fewer tickets than are closed now — the
    demo's first model a third of the way into its history, and the retrained one at its end.
    ``{"model": version or None, "n": tickets, "macro_f1": …}`` (``"error"`` when unusable)."""
    from hotline.routing.classifier import TrainingDataError
    from hotline.routing.training import (
        current_model_path,
        models_dir,
        split_rows,
        train_new_version,
        training_rows_from_tickets,
    )

    result: dict[str, Any] = {"model": None, "n": 0}
    directory = models_dir(settings.DATA_DIR)
    current = current_model_path(directory)
    info = model_header(current) if current is not None else None
    if current is not None and (info is None or info.source != "tickets"):
        return result  # a model someone trained on purpose (another source) is left alone
    texts, labels = split_rows(training_rows_from_tickets())
    result["n"] = len(texts)
    if info is not None and info.n_samples >= len(texts):
        return result
    try:
        if len(set(labels)) >= 2:
            clf, _path, metrics = train_new_version(
                texts,
                labels,
                directory=directory,
                source="tickets",
                signing_key=settings.SECRET_KEY.encode("utf-8"),
            )
            result["model"] = clf.info.version
            result["macro_f1"] = metrics.get("macro_f1")
    except TrainingDataError as exc:
        result["error"] = str(exc)
    return result


def seed_demo(stdout=None, *, train: bool = True) -> dict[str, Any]:
    """For ``hotline seed --demo``: the demo dispatch catalogue (the ticket history seeds it
    first, so its dispatches are suggested and recorded), then the category model retrained
    from all the closed demo tickets."""
    result: dict[str, Any] = {"catalogue": seed_demo_catalogue(), "model": None}
    if train:
        result.update(train_demo_model())
    if stdout is not None:
        line = f"routing: {DispatchRule.objects.count()} catalogue lines"
        if result["model"]:
            line += f", category model {result['model']} ({result['n']} closed tickets"
            if result.get("macro_f1") is not None:
                line += f", hold-out macro-F1 {result['macro_f1']:.3f}"
            line += ")"
        stdout.write(line)
    return result


# -- scheduled retraining of the category model ------------------------------------------------

RETRAIN_CHECK_SECONDS = 600  # how often the count of closed tickets is asked, per process
RETRAIN_STALE = timedelta(hours=6)  # a "running" run older than this was abandoned

_retrain_checked: dict[str, Any] = {"at": -1e18, "due": False, "detail": {}}
_headers: dict[str, tuple[float, Any]] = {}


def model_header(path) -> Any:
    """The metadata of a model file (the JSON line after the magic), without reading the
    weights; cached by modification time. ``None`` for a file that is not a model."""
    import json
    from pathlib import Path

    from hotline.routing.classifier import MAGIC, ModelInfo

    path = Path(path)
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    cached = _headers.get(str(path))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with path.open("rb") as fh:
            if fh.read(len(MAGIC)) != MAGIC:
                return None
            info = ModelInfo.from_dict(json.loads(fh.readline(1 << 20).decode("utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    _headers[str(path)] = (stamp, info)
    return info


def model_versions_overview() -> list[dict[str, Any]]:
    """The stored category models, newest (= current) first: version, trained, source, texts,
    hold-out macro-F1 (for the administrator)."""
    from hotline.routing.training import model_versions, models_dir

    out = []
    versions = model_versions(models_dir(settings.DATA_DIR))
    for number, path in reversed(versions):
        info = model_header(path)
        out.append(
            {
                "version": info.version if info else path.stem,
                "number": number,
                "current": number == versions[-1][0],
                "trained_at": info.trained_at if info else "",
                "source": info.source if info else "",
                "n_samples": info.n_samples if info else 0,
                "macro_f1": (info.metrics or {}).get("macro_f1") if info else None,
                "readable": info is not None,
            }
        )
    return out


def _closed_ticket_count() -> int:
    """Closed tickets with a category: what ``training_rows_from_tickets`` trains on."""
    from hotline.tickets.models import Ticket

    return Ticket.objects.filter(status="closed", category__isnull=False).count()


def retraining_due(*, force_check: bool = False) -> tuple[bool, dict[str, Any]]:
    """Is a scheduled retraining due? Only when a current model exists (the first one is
    trained on purpose: ``hotline routing train`` or the demo), the policy interval
    ``routing_retrain_interval_days`` (0 = never) has passed since that model was written and
    since the last run started (real time: training is work on the real machine), no run is
    going on, and at least ``routing_retrain_min_new_tickets`` closed tickets were added since
    the model was trained. Cheap when not due: a directory listing, then at most one indexed
    query; the ticket count is asked at most every ``RETRAIN_CHECK_SECONDS`` per process."""
    from hotline.core.clock import real_now
    from hotline.routing.models import RetrainingRun, RetrainingStatus
    from hotline.routing.training import current_model_path, models_dir

    days = policy("routing_retrain_interval_days")
    if days <= 0:
        return False, {"reason": "disabled"}
    path = current_model_path(models_dir(settings.DATA_DIR))
    if path is None:
        return False, {"reason": "no_model"}
    interval = timedelta(days=days)
    now = real_now()
    written = datetime.fromtimestamp(path.stat().st_mtime, tz=now.tzinfo)
    if now - written < interval:
        return False, {"reason": "interval"}
    last = RetrainingRun.objects.order_by("-started_at", "-id").values_list("status", "started_at")[
        :1
    ]
    for status, started in last:
        if status == RetrainingStatus.RUNNING and now - started < RETRAIN_STALE:
            return False, {"reason": "running"}
        if now - started < interval:
            return False, {"reason": "interval"}
    tick = time.monotonic()
    if not force_check and tick - _retrain_checked["at"] < RETRAIN_CHECK_SECONDS:
        return _retrain_checked["due"], dict(_retrain_checked["detail"])
    info = model_header(path)
    closed = _closed_ticket_count()
    new = closed - (info.n_samples if info is not None and info.source == "tickets" else 0)
    detail = {
        "reason": "new_tickets",
        "closed": closed,
        "new": new,
        "needed": policy("routing_retrain_min_new_tickets"),
        "current": path.stem,
    }
    due = new >= detail["needed"]
    if not due:
        detail["reason"] = "too_few_new"
    _retrain_checked.update(at=tick, due=due, detail=detail)
    return due, dict(detail)


def _claim_retraining(*, trigger: str, force: bool):
    """Insert the ``running`` row, or ``None`` when not due or another worker has it (the
    partial unique index decides)."""
    import os
    import socket

    from django.db import IntegrityError, transaction

    from hotline.core.clock import real_now
    from hotline.routing.models import RetrainingRun, RetrainingStatus

    now = real_now()
    with transaction.atomic():
        RetrainingRun.objects.filter(
            status=RetrainingStatus.RUNNING, started_at__lt=now - RETRAIN_STALE
        ).update(
            status=RetrainingStatus.FAILED,
            finished_at=now,
            reason="abandoned: the worker stopped before finishing",
        )
    detail: dict[str, Any] = {}
    if not force:
        due, detail = retraining_due(force_check=True)
        if not due:
            return None
    try:
        with transaction.atomic():
            return RetrainingRun.objects.create(
                status=RetrainingStatus.RUNNING,
                trigger=trigger[:20],
                started_at=now,
                worker=f"{socket.gethostname()}:{os.getpid()}"[:100],
                new_tickets=detail.get("new", 0),
            )
    except IntegrityError:
        return None  # another worker is training


def retrain_category_model(*, trigger: str = "manual", force: bool = False):
    """Retrain the category model from the closed tickets when due (or ``force``), and install
    the result as the next version only if its hold-out macro-F1 is no worse than the current
    model's by more than the policy ``routing_retrain_tolerance``; otherwise the current model
    stays and the run records why. Safe to call from several workers at once: one trains,
    the others return ``None``. Returns the finished :class:`RetrainingRun` (or ``None``)."""
    import shutil

    from hotline.core.clock import real_now
    from hotline.routing.classifier import TrainingDataError
    from hotline.routing.models import RetrainingStatus
    from hotline.routing.training import (
        current_model_path,
        models_dir,
        next_model_path,
        split_rows,
        train_new_version,
        training_rows_from_tickets,
    )

    run = _claim_retraining(trigger=trigger, force=force)
    if run is None:
        return None
    directory = models_dir(settings.DATA_DIR)
    staging = directory / f".retrain-{run.pk}"
    started = time.monotonic()
    key = settings.SECRET_KEY.encode("utf-8")
    try:
        current = current_model_path(directory)
        info = model_header(current) if current is not None else None
        if info is not None:
            run.previous_version = info.version
            run.previous_macro_f1 = (info.metrics or {}).get("macro_f1")
        texts, labels = split_rows(training_rows_from_tickets())
        run.n_samples = len(texts)
        if info is not None and info.source == "tickets":
            run.new_tickets = len(texts) - info.n_samples
        if len(set(labels)) < 2:
            raise TrainingDataError("fewer than two categories among the closed tickets")
        # trained into a private directory: nothing serves it before it is judged
        clf, _staged, metrics = train_new_version(
            texts, labels, directory=staging, source="tickets", signing_key=key
        )
        run.macro_f1 = metrics.get("macro_f1")
        tolerance = policy("routing_retrain_tolerance")
        if run.macro_f1 is None and run.previous_macro_f1 is not None:
            run.status = RetrainingStatus.KEPT
            run.reason = _("训练数据过少，无法在留出集上评估新模型，保留原模型")
        elif (
            run.macro_f1 is not None
            and run.previous_macro_f1 is not None
            and run.macro_f1 < run.previous_macro_f1 - tolerance
        ):
            run.status = RetrainingStatus.KEPT
            run.reason = _(
                "新模型留出集宏平均F1 %(new).4f 低于原模型 %(old).4f 超过容差 %(tol).4f，保留原模型"
            ) % {"new": run.macro_f1, "old": run.previous_macro_f1, "tol": tolerance}
        else:
            path = clf.save(next_model_path(directory), signing_key=key)
            run.status = RetrainingStatus.INSTALLED
            run.version = path.stem
            run.reason = _("已启用新模型 %(v)s") % {"v": path.stem}
    except Exception as exc:  # recorded for the administrator; the current model stays
        logger.exception("routing: retraining failed")
        run.status = RetrainingStatus.FAILED
        run.reason = str(exc)[:2000] or exc.__class__.__name__
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    run.seconds = round(time.monotonic() - started, 2)
    run.finished_at = real_now()
    run.save()
    _retrain_checked["at"] = -1e18
    return run
