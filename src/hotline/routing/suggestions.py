"""The sources of a routing suggestion: what the intake form and the dispatch form propose.

* :func:`suggest_categories` — the most likely categories of a text (the trained classifier);
  a missing or damaged model only means no category suggestion, never an error.
* :func:`locate` — the county/township of an address and text (the gazetteer).
* :func:`suggest_units` — the lead units, each with its reasons and sources: precedents of
  coordinated dispatches (Art 14(3)), the dispatch catalogue, the text model of similar past
  dispatches (:func:`neighbour_model`) and the count model of the category's past dispatches
  (:func:`history_model`).

All of these are reads. The tables they draw on are cached per process (:class:`_Snapshot`);
``apps.py`` clears a cache when its table is edited. The whole suggestion for a ticket being
typed is :func:`hotline.routing.selectors.suggest`; what was suggested and chosen is stored by
:mod:`hotline.routing.recording`.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext as _

from hotline.core.policy import policy
from hotline.orgs.models import Organisation
from hotline.routing import gazetteer
from hotline.routing.classifier import ModelError
from hotline.routing.duplicates import jaccard, shingle_set
from hotline.routing.models import DispatchRule, Precedent, Territorial
from hotline.routing.text import DEFAULT_BOILERPLATE_RE, normalize_for_matching
from hotline.routing.training import current_classifier, current_model_path, models_dir
from hotline.routing.unit_index import history as dispatch_history
from hotline.routing.unit_index import vote
from hotline.tickets.choices import AssignmentRole, AssignmentStatus
from hotline.tickets.models import Assignment, Category, Ticket

logger = logging.getLogger(__name__)

MAX_TEXT = 5000
UNIT_LIMIT = 3
PRECEDENT_SCAN = 500  # most recent precedents compared with a new ticket
NEIGHBOUR_WEIGHT = 0.5  # score per vote share: below the count model (see docs/routing.md)


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
    dispatch_history.expire()


def clear_caches() -> None:
    """Forget every cached table (tests, and after bulk edits)."""
    org_names.clear()
    category_names.clear()
    catalogue.clear()
    precedents.clear()
    history.clear()
    _precedent_grams.clear()
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
    now: datetime,
    exclude_ticket: int | None = None,
) -> tuple[list[NeighbourVote], int]:
    """The text model of past dispatches: the past tickets most like this one (policy
    ``routing_neighbour_count`` of them, similarity ≥ ``routing_neighbour_similarity``, from the
    last ``routing_neighbour_window_days``) vote for the lead unit they finally went to (a
    returned dispatch does not count), weighted by similarity; in the ticket's county when
    three or more of them are there. ``now`` is the moment of the suggestion: the window ends
    there (ARCHITECTURE principle 3, no system clock below the services). → ([vote], number of
    similar tickets)."""
    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        return [], 0
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
    now: datetime,
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
