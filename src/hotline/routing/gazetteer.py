"""Where a ticket is: the county and township recognised in the address and the content.

The gazetteer is built from the organisation tree (counties with their aliases, township and
street offices under them) plus the place names administrators keep in the back office
(:class:`~hotline.routing.models.PlaceName`: roads, compounds, landmarks) that belong to
exactly one county; a database without place names still locates counties and townships.
Matching is a longest-match scan over a table of names keyed by first character — a few
microseconds per ticket, no regular expression with hundreds of alternatives.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

# evidence weights: a name in the address counts double (the agent typed the place there)
W_COUNTY = 3.0
W_TOWNSHIP = 3.0
W_TOWNSHIP_STEM = 2.0
W_PLACE = 1.0
ADDRESS_FACTOR = 2.0

_TOWNSHIP_SUFFIXES = ("办事处", "人民政府")
_STEM_SUFFIXES = ("街道", "回族镇", "镇", "乡")


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str  # county | township | place
    county: str  # county code
    township: str = ""  # township org code
    weight: float = 1.0


@dataclass
class Place:
    """The recognised place: county and township codes (empty when unknown) and why."""

    county: str = ""
    county_name: str = ""
    township: str = ""
    township_name: str = ""
    confidence: float = 0.0
    evidence: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "county": self.county or None,
            "county_name": self.county_name,
            "township": self.township or None,
            "township_name": self.township_name,
            "confidence": round(self.confidence, 2),
            "evidence": self.evidence,
        }


class Gazetteer:
    def __init__(self, entries: Iterable[Entry], names: dict[str, str]) -> None:
        self.names = names  # org code -> display name
        self._by_first: dict[str, dict[int, dict[str, list[Entry]]]] = {}
        self.size = 0
        for entry in entries:
            if len(entry.name) < 2:
                continue
            by_len = self._by_first.setdefault(entry.name[0], {})
            by_len.setdefault(len(entry.name), {}).setdefault(entry.name, []).append(entry)
            self.size += 1
        self._lengths = {
            first: sorted(by_len, reverse=True) for first, by_len in self._by_first.items()
        }

    def scan(self, text: str) -> list[Entry]:
        """Entries named in ``text``, longest match first at each position, no overlaps."""
        found: list[Entry] = []
        i, n = 0, len(text)
        while i < n:
            lengths = self._lengths.get(text[i])
            step = 1
            if lengths:
                by_len = self._by_first[text[i]]
                for length in lengths:
                    if i + length <= n:
                        hit = by_len[length].get(text[i : i + length])
                        if hit:
                            found.extend(hit)
                            step = length
                            break
            i += step
        return found

    def locate(self, address: str = "", content: str = "", *, county_hint: str = "") -> Place:
        scores: dict[str, float] = {}
        townships: dict[str, float] = {}
        evidence: dict[str, list[str]] = {}
        for text, factor in ((address or "", ADDRESS_FACTOR), ((content or "")[:1000], 1.0)):
            for entry in self.scan(text):
                weight = entry.weight * factor
                scores[entry.county] = scores.get(entry.county, 0.0) + weight
                evidence.setdefault(entry.county, [])
                if entry.name not in evidence[entry.county]:
                    evidence[entry.county].append(entry.name)
                if entry.township:
                    townships[entry.township] = townships.get(entry.township, 0.0) + weight
        if not scores:
            if county_hint and county_hint in self.names:
                return Place(county=county_hint, county_name=self.names[county_hint])
            return Place()
        if county_hint in scores:
            scores[county_hint] += 0.5  # the agent's choice breaks ties
        county = max(scores, key=lambda c: (scores[c], c == county_hint))
        total = sum(scores.values())
        place = Place(
            county=county,
            county_name=self.names.get(county, county),
            confidence=scores[county] / total if total else 0.0,
            evidence=evidence.get(county, []),
        )
        local = {t: s for t, s in townships.items() if t.startswith(county + "-")}
        if local:
            township = max(local, key=lambda t: local[t])
            place.township = township
            place.township_name = self.names.get(township, township)
        return place


def _stem(place: str) -> str:
    for suffix in _STEM_SUFFIXES:
        if place.endswith(suffix) and len(place) - len(suffix) >= 2:
            return place[: -len(suffix)]
    return ""


def _county_aliases(name: str, short: str, keywords: str) -> set[str]:
    names = {name, short, *keywords.split()} - {""}
    for n in list(names):
        if len(n) >= 3 and n[-1] in "县区":
            names.add(n[:-1])
    return names


def build_entries(
    counties: Iterable[tuple[str, str, str, str]],
    townships: Iterable[tuple[str, str, str]],
    places: dict[str, Iterable[str]] | None = None,
) -> list[Entry]:
    """``counties``: (code, name, short_name, keywords); ``townships``: (code, county code,
    office name); ``places``: county code → place names. Ambiguous stems and places (named
    under more than one county) are dropped."""
    entries: list[Entry] = []
    taken: set[str] = set()
    for code, name, short, keywords in counties:
        for alias in _county_aliases(name, short, keywords):
            if len(alias) >= 2 and "热线" not in alias:
                entries.append(Entry(alias, "county", code, weight=W_COUNTY))
                taken.add(alias)
    stems: dict[str, list[Entry]] = {}
    for code, county, office in townships:
        place = office
        for suffix in _TOWNSHIP_SUFFIXES:
            if place.endswith(suffix):
                place = place[: -len(suffix)]
                break
        entries.append(Entry(place, "township", county, code, W_TOWNSHIP))
        if office != place:
            entries.append(Entry(office, "township", county, code, W_TOWNSHIP))
        taken.add(place)
        stem = _stem(place)
        if stem:
            stems.setdefault(stem, []).append(
                Entry(stem, "township", county, code, W_TOWNSHIP_STEM)
            )
    for stem, hits in stems.items():
        if len(hits) == 1 and stem not in taken:
            entries.extend(hits)
            taken.add(stem)
    if places:
        owners: dict[str, set[str]] = {}
        for county, names in places.items():
            for name in names:
                owners.setdefault(name, set()).add(county)
        for name, counties_of in owners.items():
            if len(counties_of) == 1 and name not in taken and len(name) >= 3:
                entries.append(Entry(name, "place", next(iter(counties_of)), weight=W_PLACE))
    return entries


def _place_names(counties: set[str]) -> dict[str, list[str]]:
    """County code → the active place names (and their aliases) of that county."""
    from hotline.routing.models import PlaceName

    places: dict[str, list[str]] = {}
    rows = PlaceName.objects.filter(active=True, county__code__in=counties).values_list(
        "county__code", "name", "aliases"
    )
    for county, name, aliases in rows.order_by("county__code", "id"):
        places.setdefault(county, []).extend([name, *aliases.split()])
    return places


def place_names_load(places: dict[str, dict[str, Iterable[str]]]) -> int:
    """Add place names (county code → kind → names) that are not there yet; names of counties
    not in the organisation tree are skipped and existing rows (an administrator's edits) are
    kept. Returns how many were created."""
    from hotline.orgs.choices import OrgKind
    from hotline.orgs.models import Organisation
    from hotline.routing.models import PlaceName

    counties = {
        o.code: o for o in Organisation.objects.filter(kind=OrgKind.COUNTY, code__in=places)
    }
    existing = set(
        PlaceName.objects.filter(county__in=counties.values()).values_list("county__code", "name")
    )
    rows = []
    for code, by_kind in places.items():
        if code not in counties:
            continue
        for kind, names in by_kind.items():
            for name in names:
                if (code, name) not in existing:
                    existing.add((code, name))
                    rows.append(PlaceName(name=name, kind=kind, county=counties[code]))
    PlaceName.objects.bulk_create(rows)
    if rows:  # bulk_create sends no post_save: the cache is cleared here
        reset()
        transaction.on_commit(reset)
    return len(rows)


def build_from_orgs() -> Gazetteer:
    """The gazetteer of the organisation tree and the place-name table in the database."""
    from hotline.orgs.choices import OrgKind
    from hotline.orgs.models import Organisation

    orgs = list(
        Organisation.objects.filter(active=True).values(
            "pk", "code", "name", "short_name", "kind", "keywords", "parent_id"
        )
    )
    counties = {o["pk"]: o for o in orgs if o["kind"] == OrgKind.COUNTY}
    townships = [
        (o["code"], counties[o["parent_id"]]["code"], o["name"])
        for o in orgs
        if o["parent_id"] in counties
        and o["kind"] == OrgKind.UNIT
        and o["name"].endswith(_TOWNSHIP_SUFFIXES)
    ]
    names = {o["code"]: o["short_name"] or o["name"] for o in counties.values()}
    names.update({o["code"]: o["name"] for o in orgs if o["parent_id"] in counties})
    places = _place_names({c["code"] for c in counties.values()})
    entries = build_entries(
        [(c["code"], c["name"], c["short_name"], c["keywords"]) for c in counties.values()],
        townships,
        places,
    )
    return Gazetteer(entries, names)


_lock = threading.Lock()
_cached: dict[str, Gazetteer] = {}


def current() -> Gazetteer:
    """The process's gazetteer, built on first use (call :func:`reset` after editing orgs or
    place names; the routing app does on every save)."""
    with _lock:
        if "g" not in _cached:
            _cached["g"] = build_from_orgs()
        return _cached["g"]


def reset() -> None:
    with _lock:
        _cached.clear()
