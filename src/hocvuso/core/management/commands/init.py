from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from hocvuso.core.services import audit_record


class Command(BaseCommand):
    help = (
        "Prepare the site: migrate, create the cache table, load administrative "
        "units and the competence framework, collect static files, and create an "
        "admin account on first run (its password is printed once). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--admin-username", default="admin")
        parser.add_argument("--no-static", action="store_true")
        parser.add_argument(
            "--no-content", action="store_true", help="skip the default content pack"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        quiet = {"verbosity": max(0, verbosity - 1)}
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, **quiet)
        call_command("createcachetable", **quiet)
        call_command("load_units", stdout=self.stdout)
        call_command("load_framework", stdout=self.stdout)
        if not options["no_content"]:
            call_command("content", "import", stdout=self.stdout)
        if not options["no_static"]:
            call_command("collectstatic", interactive=False, **quiet)
        self._ensure_admin(options["admin_username"])

    @transaction.atomic
    def _ensure_admin(self, username: str) -> None:
        from hocvuso.accounts.models import Role, RoleAssignment
        from hocvuso.accounts.services import password_generate

        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("Admin account exists (not changed).")
            return
        password = password_generate()
        user = User.objects.create_superuser(
            username=username, password=password, full_name="Quản trị viên"
        )
        RoleAssignment.objects.create(user=user, role=Role.NATIONAL_ADMIN)
        audit_record(actor=None, action="account.create_admin", obj=user)
        self.stdout.write(
            self.style.SUCCESS(
                "\nAdmin account created — shown only this once:\n"
                f"  user name: {username}\n  password:  {password}\n"
            )
        )
