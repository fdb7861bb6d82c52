"""The admin revokes through the service, and asks for the reason first."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hocvuso.accounts.models import User
from hocvuso.core.models import AuditLog
from hocvuso.credentials.models import Certificate

pytestmark = pytest.mark.django_db


def test_admin_revoke_asks_for_a_reason(client: Client, sitting_factory: Any) -> None:
    sitting_factory(identity_level=2)
    certificate = Certificate.objects.get()
    admin_user = User.objects.create_superuser(username="admin-certs", password="x")
    client.force_login(admin_user)
    url = "/admin/credentials/certificate/"
    assert certificate.code in client.get(url).content.decode()
    detail = client.get(f"{url}{certificate.pk}/change/")
    assert detail.status_code == 200
    action = {"action": "revoke", "_selected_action": [str(certificate.pk)]}
    page = client.post(url, action)
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    done = client.post(url, {**action, "reason": "Cấp nhầm"})
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "Cấp nhầm"
    assert AuditLog.objects.filter(action="certificate.revoke").count() == 1
    assert client.post(f"{url}{certificate.pk}/change/", {}).status_code == 403
