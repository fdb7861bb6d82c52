"""Findings of the security probe in core: caching, CSRF page, logs, file modes."""

from __future__ import annotations

import logging
import os
import stat
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from tests.factories import learner_in

from hocvuso.core.files import sqlite_files_private
from hocvuso.core.logging import RedactPersonalDataFilter
from hocvuso.core.views import csrf_failure

pytestmark = pytest.mark.django_db


def test_signed_in_pages_are_not_stored_on_shared_devices(client: Client) -> None:
    client.force_login(learner_in(30178))
    for path in ("/accounts/me/", "/api/geo/provinces", "/learn/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store, private", path


def test_anonymous_pages_keep_their_own_caching(client: Client) -> None:
    response = client.get("/learn/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_csrf_failure_is_explained_in_vietnamese() -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"identifier": "x", "password": "y"})
    body = response.content.decode()
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in body and "CSRF" not in body
    assert 'lang="vi"' in body
    api = csrf_failure(RequestFactory().post("/api/learning/progress"), "no token")
    assert api.status_code == 403
    assert api["Content-Type"].startswith("application/json")


def _record_with(exc: BaseException) -> logging.LogRecord:
    try:
        raise exc
    except type(exc):
        return logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "upload failed", (), sys.exc_info()
        )


def test_exception_texts_are_redacted_too() -> None:
    record = _record_with(
        FileNotFoundError(2, "No such file", "/tmp/079203001234-0903555666.jpg")
    )
    RedactPersonalDataFilter().filter(record)
    out = logging.Formatter().format(record)
    assert "Traceback" in out and "No such file" in out
    assert "079203001234" not in out and "0903555666" not in out
    assert "[redacted]" in out


def test_sqlite_files_are_for_the_owner_only(tmp_path: Path, settings: object) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    tmp_path.chmod(0o755)
    db = tmp_path / "hocvuso.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").write_bytes(b"")
        Path(f"{db}{suffix}").chmod(0o644)
    sqlite_files_private(str(db))
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
    for suffix in ("", "-wal", "-shm"):
        assert stat.S_IMODE(os.stat(f"{db}{suffix}").st_mode) == 0o600
    sqlite_files_private(":memory:")  # nothing to do, no error
    sqlite_files_private(str(tmp_path / "absent.sqlite3"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_a_new_sqlite_connection_makes_its_files_private(tmp_path: Path) -> None:
    import sqlite3

    from django.db.backends.signals import connection_created

    db = tmp_path / "x.sqlite3"
    sqlite3.connect(db).close()
    db.chmod(0o644)

    class Fake:
        vendor = "sqlite"
        settings_dict = {"NAME": str(db)}

    connection_created.send(sender=None, connection=Fake())
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
