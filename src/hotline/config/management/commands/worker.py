from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run background work (timers, outbound push) with Celery worker + beat."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument(
            "--no-beat",
            action="store_true",
            help="no schedule in this worker (every worker host but one, when scaling out)",
        )

    def handle(self, *args, concurrency: int, loglevel: str, no_beat: bool = False, **options):
        if not settings.CELERY_BROKER_URL:
            raise CommandError(
                "no broker configured: set REDIS_URL (or CELERY_BROKER_URL); "
                "without one, `hotline serve` runs the timers in-process"
            )
        if concurrency < 1:
            raise CommandError(f"--concurrency must be at least 1 (got {concurrency})")
        from hotline.config.celery import app

        # Celery would retry an unreachable broker a hundred times, quietly; say it at once.
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=5)
        except Exception as exc:  # kombu raises the transport's own errors
            raise CommandError(
                f"cannot reach the broker at {_shown(settings.CELERY_BROKER_URL)}: {exc}"
            ) from exc
        # beat (the schedule of timers and relay) must run in one worker of the cluster
        beat = (
            []
            if no_beat
            else ["--beat", "--schedule", str(settings.DATA_DIR / "celerybeat-schedule")]
        )
        app.worker_main(["worker", *beat, f"--concurrency={concurrency}", f"--loglevel={loglevel}"])


def _shown(url: str) -> str:
    """The broker URL without its password."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)
