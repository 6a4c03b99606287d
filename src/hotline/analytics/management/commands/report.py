"""``hotline report KIND PERIOD [--format docx|xlsx] --out FILE`` (API.md, Command line)."""

from __future__ import annotations

import shutil

from django.core.management.base import BaseCommand, CommandError

from hotline.core import clock
from hotline.core.errors import DomainError


class Command(BaseCommand):
    help = "生成日报、周报、月报、季报、年报（docx 或 xlsx）"

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", choices=["daily", "weekly", "monthly", "quarterly", "annual", "special"]
        )
        parser.add_argument("period")
        parser.add_argument("--format", choices=["docx", "xlsx"])
        parser.add_argument("--title", default="")
        parser.add_argument("--out", required=True)

    def handle(self, *args, **opts):
        from hotline.analytics.services import report_create, report_path

        fmt = opts["format"] or ("xlsx" if opts["out"].lower().endswith(".xlsx") else "docx")
        try:
            report = report_create(
                kind=opts["kind"],
                period=opts["period"],
                fmt=fmt,
                title=opts["title"],
                actor=None,
                now=clock.now(),
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        shutil.copyfile(report_path(report), opts["out"])
        self.stdout.write(f"{report.title} → {opts['out']}")
