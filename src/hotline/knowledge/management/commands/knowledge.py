"""``hotline knowledge import FILE.xlsx | export FILE.xlsx | reindex``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.core.progress import ProgressCallback
from hotline.knowledge import selectors, services, xlsx
from hotline.orgs.models import User

ROWS_SHOWN = 20  # bad rows listed on stderr before "… and N more"


class Command(BaseCommand):
    help = "Knowledge base maintenance: xlsx import/export and re-indexing."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import entries from an xlsx file (all or nothing)")
        imp.add_argument("file")
        imp.add_argument("--user", default="admin", help="who imports (default: admin)")
        imp.add_argument(
            "--publish", action="store_true", help="publish at once (center reviewers only)"
        )
        exp = sub.add_parser("export", help="export entries to an xlsx file")
        exp.add_argument("file")
        exp.add_argument("--user", default="admin", help="whose entries (default: admin = all)")
        sub.add_parser("reindex", help="segment every entry again and rebuild the index")

    def _user(self, username: str) -> User:
        user = User.objects.select_related("organisation").filter(username=username).first()
        if user is None:
            raise CommandError(f"no such user: {username}")
        return user

    def _progress(self, label: str, options: dict) -> ProgressCallback:
        show = None if options.get("verbosity", 1) >= 1 else False
        return ProgressCallback(label=label, unit="条", out=self.stdout, show=show)

    def handle(self, *args, action: str, **options):
        if action == "reindex":
            progress = self._progress("reindex", options)
            count = services.entries_reindex(progress=progress)
            progress.close()
            self.stdout.write(f"re-indexed {count} entries")
            return
        path = Path(options["file"])
        user = self._user(options["user"])
        if action == "export":
            entries = list(selectors.entries_for_export(user=user))
            try:
                path.write_bytes(xlsx.export_entries(entries))
            except OSError as exc:
                raise CommandError(f"cannot write {path}: {exc.strerror}") from exc
            services.record_export(actor=user, now=clock.now(), entries=entries, via="command")
            self.stdout.write(f"exported {len(entries)} entries to {path}")
            return
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        progress = self._progress("import", options)
        try:
            result = xlsx.import_entries(
                data=data,
                actor=user,
                now=clock.now(),
                publish=options["publish"],
                progress=progress,
            )
        except xlsx.ImportRejected as exc:
            shown = exc.errors[:ROWS_SHOWN]
            for row, message in shown:
                self.stderr.write(f"row {row}: {message}")
            if len(exc.errors) > len(shown):
                self.stderr.write(f"… and {len(exc.errors) - len(shown)} more bad row(s)")
            raise CommandError(
                f"import rejected: {len(exc.errors)} bad row(s), nothing written"
            ) from None
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        finally:
            progress.close()
        self.stdout.write(
            f"created {len(result.created)}, updated {len(result.updated)}, "
            f"unchanged {len(result.unchanged)}, published {len(result.published)}"
        )
