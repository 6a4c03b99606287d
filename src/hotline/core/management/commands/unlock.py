"""``hotline unlock USER``: an administrator ends an account's sign-in lock (Art 25; issue 19
F7). Logged by ``core.auth.login_unlock``."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand

from hotline.core.auth import login_locked_until, login_unlock


class Command(BaseCommand):
    help = "Unlock an account locked by the sign-in throttle"

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        locked = login_locked_until(username) is not None
        login_unlock(username=username, by=f"command ({getpass.getuser()})")
        state = "unlocked" if locked else "was not locked; failure count cleared"
        self.stdout.write(f"{username}: {state}")
