from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hotline.calendar.models import CalendarYear
from hotline.calendar.services import calendar_import_files
from hotline.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Working-day calendar: import a year (holiday-cn JSON) or show which years are confirmed."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="load one or more holiday-cn year files")
        imp.add_argument("files", nargs="+", type=Path)
        sub.add_parser("status", help="list years and whether they are confirmed")

    def handle(self, *args, action: str, **options):
        if action == "import":
            try:
                # All or nothing: a bad file among several leaves the calendar as it was.
                results = calendar_import_files(paths=options["files"])
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            for result in results:
                if result.kept_existing:
                    state = "the file has no days; the confirmed schedule already loaded is kept"
                elif result.confirmed:
                    state = "confirmed"
                else:
                    state = "UNCONFIRMED (the file has no days)"
                self.stdout.write(f"{result.year}: {result.days} days loaded, {state}")
        else:
            for year in CalendarYear.objects.order_by("year"):
                state = "confirmed" if year.confirmed else "unconfirmed"
                self.stdout.write(f"{year.year}  {state:<11}  {year.source}")
