from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run background work (timers, outbound push) with Celery worker + beat."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args, concurrency: int, loglevel: str, **options):
        if not settings.CELERY_BROKER_URL:
            raise CommandError(
                "no broker configured: set REDIS_URL (or CELERY_BROKER_URL); "
                "without one, `hotline serve` runs the timers in-process"
            )
        from hotline.config.celery import app

        app.worker_main(
            [
                "worker",
                "--beat",
                f"--concurrency={concurrency}",
                f"--loglevel={loglevel}",
                "--schedule",
                str(settings.DATA_DIR / "celerybeat-schedule"),
            ]
        )
