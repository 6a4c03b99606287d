from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hotline.calendar.services import calendar_seed_official
from hotline.core.policy import policy_seed_defaults
from hotline.orgs.services import roles_ensure
from hotline.tickets.categories import category_tree_load, default_tree


class Command(BaseCommand):
    help = (
        "Load base data (roles, the official calendar, the category tree); with --demo also "
        "the demo organisations, users and history. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="load the demo data set")
        parser.add_argument("--days", type=int, default=60, help="days of ticket history")
        parser.add_argument("--per-day", type=int, default=150, help="appeals per day")
        parser.add_argument("--seed", type=int, default=12345, help="random seed")

    def handle(self, *args, demo: bool, days: int, per_day: int, seed: int, **options):
        if days < 0 or per_day < 0:
            raise CommandError("--days and --per-day must not be negative")
        if demo and settings.PRODUCTION:  # refused before anything is written
            raise CommandError("demo data is not allowed in production (HOTLINE_ENV=production)")
        roles_ensure()
        policy_seed_defaults()
        years = calendar_seed_official()
        self.stdout.write(f"calendar: {len(years)} official years loaded")
        # Administrators maintain the tree (Art 21): add what is missing, keep their edits.
        categories = category_tree_load(tree=default_tree(), update_existing=False)
        self.stdout.write(f"categories: {categories}")
        if not demo:
            return
        # Only here: the base data above must load without the demo package.
        from hotline.demo import seed_demo

        seed_demo(days=days, per_day=per_day, seed=seed, stdout=self.stdout)
