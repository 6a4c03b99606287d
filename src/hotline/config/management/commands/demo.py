from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from hotline.config.management.commands.serve import check_port


class Command(BaseCommand):
    help = "migrate + seed --demo + serve: the one command a newcomer runs."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--days", type=int, default=None, help="days of ticket history")
        parser.add_argument("--per-day", type=int, default=None, help="appeals per day")

    def handle(self, *args, host, port, days, per_day, **options):
        check_port(port)  # before anything is written
        self.stdout.write(f"data directory: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        seed_options = {"demo": True}
        if days is not None:
            seed_options["days"] = days
        if per_day is not None:
            seed_options["per_day"] = per_day
        call_command("seed", **seed_options)
        shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  12345 hotline demo: http://{shown}:{port}/\n"
                "  logins (password Demo#12345): admin, agent, dispatcher, callback, supervisor,\n"
                "  analyst, inspector, and org.<code> for every organisation\n"
                "  (e.g. org.411702, org.housing)\n"
            )
        )
        call_command("serve", host=host, port=port)
