"""``hotline telephony simulate --date YYYY-MM-DD [--calls N] [--agents N]``: a realistic
day of call events posted through the telephony API's service (or over HTTP with --url)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from hotline.core import clock
from hotline.orgs.models import User
from hotline.telephony import simulation
from hotline.telephony.selectors import tz


class Command(BaseCommand):
    help = "Telephony tools: simulate a day of call events (docs/telephony.md)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sim = sub.add_parser("simulate", help="post a realistic day of call events")
        sim.add_argument("--date", required=True, help="the local day, YYYY-MM-DD")
        sim.add_argument("--calls", type=int, default=None, help="calls offered that day")
        sim.add_argument("--agents", type=int, default=12, help="agents at the peak hour")
        sim.add_argument("--seed", type=int, default=None, help="random seed (default: the date)")
        sim.add_argument("--url", default="", help="post to this running server instead")
        sim.add_argument("--token", default="", help="a cti token for --url")

    def handle(self, *args, **options):
        try:
            day = date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError("--date must be YYYY-MM-DD") from exc
        if options["calls"] is not None and not 0 <= options["calls"] <= 200_000:
            raise CommandError("--calls must be between 0 and 200000")
        if not 1 <= options["agents"] <= 1000:
            raise CommandError("--agents must be between 1 and 1000")
        now = clock.now()
        if day > now.astimezone(tz()).date():
            raise CommandError("the date is in the future: the switch reports what happened")
        simulation.ensure_queues()
        if options["url"]:
            if not options["token"]:
                raise CommandError("--url needs --token (a token of a cti user)")
            post, post_state = simulation.http_poster(url=options["url"], token=options["token"])
        else:
            actor = User.objects.filter(roles__code="cti", is_active=True).first()
            post, post_state = simulation.in_process_poster(actor=actor, now=now)
        summary = simulation.simulate_day(
            day=day,
            calls=options["calls"],
            agents=options["agents"],
            seed=options["seed"],
            post=post,
            post_state=post_state,
            until=now,
        )
        rate = f"{summary.rate:.1%}" if summary.rate is not None else "—"
        busiest = ", ".join(f"{h:02d}:00 {r:.0%}" for h, r in summary.busiest_hours())
        self.stdout.write(
            f"{day}: offered {summary.offered}, answered {summary.answered}, abandoned "
            f"{summary.abandoned}, rate {rate} (before short abandons are left out); "
            f"{summary.events} events; busiest hours {busiest}"
        )
