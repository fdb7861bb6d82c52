"""``hocvuso signin_reset IDENTIFIER``: clear an account's failed sign-ins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.accounts.backends import user_find_by_identifier
from hocvuso.accounts.services import signin_limits_reset


class Command(BaseCommand):
    help = (
        "Clear the failed sign-ins counted for an account (phone, e-mail, "
        "citizen ID or user name), on every device; audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("identifier")

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_find_by_identifier(str(options["identifier"]))
        if user is None:
            raise CommandError("no account has this identifier")
        cleared = signin_limits_reset(actor=None, user=user)
        if int(options["verbosity"]):
            self.stdout.write(f"cleared {cleared} failed sign-in(s) of {user.pk}")
