"""Demo knowledge base (DEMO.md "Knowledge base"): 200+ entries written for the demo, owned by
the seeded units, most published, some public, a few stale or under review, some corrections
and questions (two of them overdue). Idempotent: entries are keyed by ``source_key``.

Everything goes through the services, as any other writer would, with ``now`` moved back in
time where the story needs it (an entry published a year ago, a correction raised last week).
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction

from hotline.core import clock
from hotline.demo import knowledge_entries as demo_entries
from hotline.knowledge import services
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.models import Entry, Feedback, Synonym
from hotline.orgs.models import Organisation, User

KEY_PREFIX = "demo:"


def _users() -> dict[str, User]:
    users = User.objects.select_related("organisation").filter(
        username__in=["admin", "supervisor", "agent"]
    )
    return {u.username: u for u in users}


def _owner(org_code: str, cache: dict[str, User | None]) -> User | None:
    if org_code not in cache:
        cache[org_code] = (
            User.objects.select_related("organisation").filter(username=f"org.{org_code}").first()
        )
    return cache[org_code]


@transaction.atomic
def seed(*, days: int = 60, per_day: int = 150, seed: int = 12345, stdout=None) -> int:
    """Load the demo knowledge base; returns how many entries were created this time."""
    now = clock.now()
    rng = random.Random(seed)
    users = _users()
    admin, supervisor, agent = users.get("admin"), users.get("supervisor"), users.get("agent")
    if admin is None or supervisor is None or agent is None:
        raise RuntimeError("seed the demo organisations and users first")

    existing_synonyms = set(Synonym.objects.values_list("term", flat=True))
    for term, equivalents in demo_entries.SYNONYMS:
        if term not in existing_synonyms:
            services.synonym_upsert(term=term, equivalents=equivalents, actor=admin, now=now)

    orgs = {o.code: o for o in Organisation.objects.all()}
    done = set(
        Entry.objects.filter(source_key__startswith=KEY_PREFIX).values_list("source_key", flat=True)
    )
    owners: dict[str, User | None] = {}
    created = 0
    by_key: dict[str, Entry] = {}
    for item in demo_entries.all_entries():
        key = KEY_PREFIX + item["key"]
        if key in done or item["org"] not in orgs:
            continue
        owner = _owner(item["org"], owners) or admin
        stale_days = demo_entries.STALE.get(item["key"])
        # Entries were written over the past months; stale ones long before the review period.
        age = stale_days if stale_days else rng.randint(3, 150)
        written = now - timedelta(days=age, hours=rng.randint(0, 8))
        entry = services.entry_create(
            actor=owner,
            org=orgs[item["org"]],
            title=item["title"],
            body=item["body"],
            category_code=item["category_code"],
            category_name=item["category_name"],
            keywords=item["keywords"],
            synonyms=item["synonyms"],
            public=item["public"],
            now=written,
            source_key=key,
        )
        created += 1
        by_key[item["key"]] = entry
        if item["key"] in demo_entries.DRAFT:
            continue
        entry = services.entry_submit(entry=entry, actor=owner, now=written + timedelta(hours=1))
        if item["key"] in demo_entries.IN_REVIEW:
            continue
        services.entry_publish(entry=entry, actor=supervisor, now=written + timedelta(days=1))

    if created:
        _seed_feedback(now=now, agent=agent, orgs=orgs, owners=owners)
    services.feedback_mark_overdue(now=now)
    if stdout is not None:
        total = Entry.objects.filter(source_key__startswith=KEY_PREFIX).count()
        published = Entry.objects.filter(
            source_key__startswith=KEY_PREFIX, status=EntryStatus.PUBLISHED
        ).count()
        stdout.write(
            f"knowledge: {total} demo entries ({published} published, {created} new), "
            f"{Feedback.objects.count()} corrections/questions"
        )
    return created


def _seed_feedback(*, now, agent: User, orgs: dict, owners: dict) -> None:
    keys = {
        e.source_key.removeprefix(KEY_PREFIX): e
        for e in Entry.objects.filter(source_key__startswith=KEY_PREFIX).select_related("org")
    }
    for spec in demo_entries.FEEDBACK:
        raised_at = now - timedelta(days=spec["days_ago"], hours=2)
        entry = keys.get(spec["entry"]) if spec["entry"] else None
        if spec["entry"] and entry is None:
            continue
        if Feedback.objects.filter(entry=entry, content=spec["content"]).exists():
            continue
        item = services.feedback_raise(
            actor=agent,
            kind=spec["kind"],
            content=spec["content"],
            now=raised_at,
            entry=entry,
            topic=spec.get("topic", ""),
            org=orgs.get(spec.get("org", "")),
        )
        responder = _owner(item.org.code, owners)
        if responder is None:
            continue
        answered_at = now - timedelta(days=spec.get("answer_days_ago", 0), hours=1)
        if spec.get("answer"):
            services.feedback_answer(
                feedback=item, actor=responder, response=spec["answer"], now=answered_at
            )
        elif spec.get("accept"):
            services.feedback_accept(
                feedback=item, actor=responder, response=spec["accept"], now=answered_at
            )
