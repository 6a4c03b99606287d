"""``hotline analytics rebuild`` · ``hotline analytics hot-topics --source CSV [--limit N]``."""

from __future__ import annotations

import csv
import json
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from hotline.core import clock


def read_messages(path: str):
    from hotline.analytics.hot_topics import Item

    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        for n, row in enumerate(reader):
            subject = (row.get("留言主题") or "").strip()
            body = (row.get("text") or row.get("留言详情") or "").strip()
            when = None
            for col in ("留言时间", "time", "at"):
                if row.get(col):
                    try:
                        when = datetime.fromisoformat(row[col].strip().replace("/", "-"))
                    except ValueError:
                        when = None
                    break
            yield Item(
                id=row.get("留言编号") or n,
                number=str(row.get("留言编号") or n),
                text=body or subject,
                title=subject,
                at=when,
                citizen=row.get("留言用户") or "",
            )


class Command(BaseCommand):
    help = "监测分析：重建统计、热点问题检测"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="rebuild every daily rollup from the tickets")
        hot = sub.add_parser("hot-topics", help="hot topics of a CSV of messages")
        hot.add_argument("--source", required=True)
        hot.add_argument("--limit", type=int, default=20)

    def handle(self, *args, **opts):
        if opts["action"] == "rebuild":
            from hotline.analytics.services import rollups_rebuild

            n = rollups_rebuild(now=clock.now())
            self.stdout.write(f"rollup rows: {n}")
            return
        from hotline.analytics.hot_topics import detect
        from hotline.core.policy import policy
        from hotline.tickets import hooks

        try:
            items = list(read_messages(opts["source"]))
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        topics = detect(
            items,
            similarity=hooks.provided("text_similarity"),
            threshold=policy("art23_hot_topic_similarity"),
            limit=opts["limit"],
        )
        for t in topics:
            self.stdout.write(
                json.dumps(
                    {
                        "id": t.id,
                        "title": t.title,
                        "keywords": t.keywords,
                        "count": t.count,
                        "heat": t.heat,
                        "tickets": [i.number for i in t.items],
                        "first_at": t.first_at.isoformat() if t.first_at else None,
                        "last_at": t.last_at.isoformat() if t.last_at else None,
                    },
                    ensure_ascii=False,
                )
            )
