"""Hot topics on real messages (tipdm2020c/messages_with_votes.csv, 4,326 messages).

Checks that every group of identical bodies falls in one topic, times the detection, and
prints the top 20 topics with 3 member subjects each for hand labelling (docs/analytics.md
says how they were labelled). Skips politely when the dataset is absent.

    HOTLINE_ENV=test HOTLINE_DATA_DIR=$(mktemp -d) .venv/bin/python benchmarks/hot_topics.py
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from pathlib import Path

DATA = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "datasets"
    / "tipdm2020c"
    / "messages_with_votes.csv"
)


def main() -> int:
    if not DATA.exists():
        print(f"skipped: {DATA} not found")
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")
    import django

    django.setup()
    from hotline.analytics import hot_topics
    from hotline.analytics.management.commands.analytics import read_messages
    from hotline.core.policy import DEFINITIONS
    from hotline.tickets import hooks

    items = list(read_messages(str(DATA)))
    threshold = DEFINITIONS["art23_hot_topic_similarity"].default
    sim = hooks.provided("text_similarity")
    t0 = time.perf_counter()
    groups = hot_topics.group(items, similarity=sim, threshold=threshold)
    t1 = time.perf_counter()
    topics = hot_topics.detect(items, similarity=sim, threshold=threshold, limit=20)
    t2 = time.perf_counter()
    where = {id(i): n for n, g in enumerate(groups) for i in g}
    bodies = defaultdict(list)
    for i in items:
        bodies[hot_topics._norm(i.text)].append(i)
    dup_groups = [g for k, g in bodies.items() if k and len(g) > 1]
    split = [g for g in dup_groups if len({where[id(i)] for i in g}) > 1]
    print(f"messages: {len(items)}; identical-body groups: {len(dup_groups)}; split: {len(split)}")
    print(f"grouping: {t1 - t0:.2f} s; detect top 20 (with keywords): {t2 - t0:.2f} s")
    print(f"groups of 2+: {sum(1 for g in groups if len(g) > 1)}")
    for rank, t in enumerate(topics, 1):
        print(f"#{rank} heat={t.heat} n={t.count} {t.title} | {'、'.join(t.keywords)}")
        for i in t.items[:3]:
            print(f"     - {i.title[:50]}")
    return 1 if split else 0


if __name__ == "__main__":
    sys.exit(main())
