from __future__ import annotations

import logging
import re

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client
from tests.factories import learner_in, user_with_role

from hocvuso.core.logging import RedactPersonalDataFilter, redact
from hocvuso.core.models import AuditLog
from hocvuso.core.services import audit_record

pytestmark = pytest.mark.django_db


def test_healthz_and_readyz(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready == {"status": "ok", "database": True, "workers": 0}


def test_readyz_reports_database_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db.backends.utils import CursorWrapper

    def broken(self: object, sql: str, params: object = None) -> None:
        raise DatabaseError("down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["database"] is False


def test_404_page_is_vietnamese(client: Client) -> None:
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_audit_record_keeps_who_what_before_after() -> None:
    actor = learner_in(30178)
    entry = audit_record(
        actor=actor, action="demo.change", obj=actor, before={"a": 1}, after={"a": 2}
    )
    entry.refresh_from_db()
    assert entry.actor == actor and entry.object_type == "accounts.user"
    assert (entry.before, entry.after) == ({"a": 1}, {"a": 2})
    assert audit_record(actor=None, action="x", obj=actor).actor_label == "system"


def test_audit_page_is_for_national_admins(client: Client) -> None:
    client.force_login(user_with_role("commune_officer", commune_code=30178))
    assert client.get("/audit/").status_code == 403
    admin = user_with_role("national_admin")
    audit_record(actor=admin, action="role.assign", obj=admin, after={"role": "x"})
    client.force_login(admin)
    response = client.get("/audit/", {"action": "role"})
    assert response.status_code == 200 and "role.assign" in response.content.decode()
    # A page past the end shows the last page, not an error or an empty list.
    last = client.get("/audit/", {"page": "999", "action": "role"})
    assert last.status_code == 200 and "role.assign" in last.content.decode()


def test_audit_entries_cannot_be_changed_in_admin(client: Client) -> None:
    from django.contrib.auth import get_user_model

    su = get_user_model().objects.create_superuser("root", "pw-123456789")
    entry = audit_record(actor=su, action="x", obj=su)
    client.force_login(su)
    url = f"/admin/core/auditlog/{entry.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert AuditLog.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("citizen 001099012345 asked", "001099012345"),
        ("call 0912345678 now", "912345678"),
        ("call +84912345678 now", "912345678"),
        ("call +84 912 345 678 now", "345"),
        ("call 0912.345.678 now", "345"),
        ("mail lan@example.vn ok", "lan@"),
    ],
)
def test_personal_identifiers_are_redacted_from_logs(text: str, secret: str) -> None:
    """The digits (or address) are gone from the line, not merely marked."""
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "%s", (text,), None)
    RedactPersonalDataFilter().filter(record)
    message = record.getMessage()
    assert secret not in message
    assert not re.search(r"\d{3}", message), message
    assert message.split()[0] == text.split()[0]  # the rest of the line stays
    assert redact("ok 123") == "ok 123"


def test_no_missing_migrations() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_security_headers(client: Client) -> None:
    response = client.get("/")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_vietnamese_first_whatever_the_browser_says(client: Client) -> None:
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()
