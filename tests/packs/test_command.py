"""``hocvuso content`` and ``hocvuso init`` as an operator or an author meets them."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from tests.learning.packfactory import lesson_path, replace, write_pack

from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.core.models import AuditLog

HOCVUSO = Path(sys.executable).parent / "hocvuso"


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["HOCVUSO_DATA_DIR"] = str(tmp_path / "data")  # never initialised
    return subprocess.run(
        [str(HOCVUSO), *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_validate_needs_no_database(tmp_path: Path) -> None:
    """An author checks a pack in their own CI, before any ``hocvuso init``."""
    done = _run(tmp_path, "content", "validate")
    assert done.returncode == 0, done.stderr
    assert "valid — pack hocvuso-default" in done.stdout
    assert " courses, " in done.stdout and " items, " in done.stdout
    assert "Traceback" not in done.stderr
    assert not list((tmp_path / "data").glob("*.sqlite3*"))  # no database made
    root = write_pack(tmp_path / "p")
    replace(lesson_path(root), "level: CB1", "level: ZZ")
    bad = _run(tmp_path, "content", "validate", str(root))
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "unknown level 'ZZ'" in bad.stderr


@pytest.mark.django_db
def test_init_creates_the_admin_once_through_the_audited_service() -> None:
    out = StringIO()
    call_command("init", "--no-static", "--no-content", stdout=out)
    assert "password:" in out.getvalue()
    admin = User.objects.get(is_superuser=True)
    assert RoleAssignment.objects.filter(user=admin, role=Role.NATIONAL_ADMIN).exists()
    actions = set(
        AuditLog.objects.filter(object_id=str(admin.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == {"account.create_admin", "role.assign"}
    again = StringIO()
    call_command("init", "--no-static", "--no-content", stdout=again)
    assert "password:" not in again.getvalue() and "exists" in again.getvalue()
    assert User.objects.filter(is_superuser=True).count() == 1
