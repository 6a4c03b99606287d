"""The demo (DEMO.md): made-up organisations, people, place names, knowledge entries, partners
and sixty days of generated history, loaded only by ``hotline seed --demo``.

Nothing outside this package imports it except the ``seed`` and ``demo`` commands (and the
tests): production code reads its defaults from its own context (the category tree from
``hotline.tickets.category_tree``, policy values from ``hotline.core.policy``, place names from
the routing place-name table).

* :mod:`.orgs` / :mod:`.org_data` — the organisation tree, the users and the place names;
* :mod:`.history` (with :mod:`.history_intake`, :mod:`.history_handling`,
  :mod:`.history_stories`, :mod:`.cases`, :mod:`.history_texts`, :mod:`.topics`) — the
  ticket history played through the services;
* :mod:`.routing` — the dispatch catalogue and the first category model;
* :mod:`.knowledge` / :mod:`.knowledge_entries` — the knowledge base;
* :mod:`.exchange` — the partners and keys;
* :mod:`.telephony`, :mod:`.supervision`, :mod:`.analytics` — the calls, the casework and
  evaluations, and the monitoring figures and reports that read the history.
"""

from __future__ import annotations

from typing import Any

TELEPHONY_DAYS = 14


def seed_demo(*, days: int, per_day: int, seed: int, stdout: Any) -> None:
    """Load the whole demo into a database that has the base data (``hotline seed``): the
    organisations and users, the place names, then each context's part in the order the
    story needs (the history first: routing trains on it, exchange marks it delivered)."""
    # Imported here so that importing one data module (e.g. ``hotline.demo.topics``) does not
    # load every context's demo code.
    from hotline.demo import exchange, history, knowledge, routing
    from hotline.demo.orgs import seed_organisations, seed_places, seed_users

    orgs = seed_organisations()
    users = seed_users(orgs)
    stdout.write(f"organisations: {len(orgs)}, users: {users}")
    places = seed_places()
    if places:
        stdout.write(f"place names: {places} added")
    for module in (history, routing, knowledge, exchange):
        module.seed(days=days, per_day=per_day, seed=seed, stdout=stdout)
    # the calls behind the phone tickets of the last fortnight (about 1.3 per ticket), before
    # anything reads the connection rate (issue 17); every event goes through the ingestion
    # service, so the whole history's calls would outlast DEMO.md's minute
    from hotline.demo import telephony

    telephony.seed(days=min(days, TELEPHONY_DAYS), stdout=stdout, seed=seed)
    # the supervision casework and the evaluations read the whole history (issue 15)
    from hotline.demo import supervision

    supervision.seed(days=days, per_day=per_day, seed=seed, stdout=stdout)
    # the monitoring figures, alerts and the last week's daily reports read all of it (issue 16)
    from hotline.core import clock
    from hotline.demo import analytics

    made = analytics.seed(now=clock.now())
    stdout.write(
        "analytics: {sectors} sector categories, {rollup_rows} rollup rows, {alerts} alerts, "
        "{reports} reports".format(**made)
    )
