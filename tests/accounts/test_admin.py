"""The admin site: accounts it creates can sign in, roles open what they need."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from tests.factories import user_with_role

from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.core.models import AuditLog

pytestmark = pytest.mark.django_db

PASSWORD = "Mot-mat-khau-dai-2026"


def _empty_inline(prefix: str) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# The user page's inlines other than roles (read-only provider identities).
OTHER_INLINES = _empty_inline("oidc_identities")
NO_ROLES = _empty_inline("roles") | OTHER_INLINES


def errorlists(html: str) -> list[str]:
    """Return the admin form's error messages (for assertion messages)."""
    return re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)


def test_a_phone_typed_with_spaces_signs_in_any_spelling(
    admin_client: Client, client: Client
) -> None:
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"username": "0903 555 666", "password1": PASSWORD, "password2": PASSWORD}
        | NO_ROLES,
    )
    assert response.status_code == 302, errorlists(response.content.decode())
    user = User.objects.get(username="0903555666")
    assert user.phone == "0903555666"
    for spelling in ("0903 555 666", "+84903555666", "0903.555.666"):
        assert client.login(username=spelling, password=PASSWORD), spelling
        client.logout()


def test_a_phone_owned_by_another_account_is_refused(admin_client: Client) -> None:
    User.objects.create_user("0903555666", PASSWORD)
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"username": "+84 903 555 666", "password1": PASSWORD, "password2": PASSWORD}
        | NO_ROLES,
    )
    assert response.status_code == 200
    assert User.objects.filter(phone="0903555666").count() == 1


def _role_form(
    user: User, rows: list[dict[str, str]], initial: int = 0
) -> dict[str, str]:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "language": "vi",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "roles-TOTAL_FORMS": str(len(rows)),
        "roles-INITIAL_FORMS": str(initial),
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
    } | OTHER_INLINES
    for n, row in enumerate(rows):
        data |= {f"roles-{n}-{k}": v for k, v in row.items()}
        data[f"roles-{n}-user"] = str(user.pk)
    return data


def test_a_role_given_in_the_admin_opens_the_admin_and_is_audited(
    client: Client,
) -> None:
    admin = user_with_role(Role.NATIONAL_ADMIN)
    admin.is_staff = True
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    editor = User.objects.create_user("bientap", PASSWORD, full_name="Biên Tập")
    url = f"/admin/accounts/user/{editor.pk}/change/"
    response = client.post(url, _role_form(editor, [{"role": Role.CONTENT_EDITOR}]))
    assert response.status_code == 302, errorlists(response.content.decode())
    editor.refresh_from_db()
    assert editor.is_staff
    assert AuditLog.objects.filter(
        action="role.assign", object_id=str(editor.pk)
    ).exists()
    other = Client()
    other.force_login(editor)
    assert other.get("/admin/").status_code == 200

    row = RoleAssignment.objects.get(user=editor)
    response = client.post(
        url,
        _role_form(
            editor,
            [{"id": str(row.pk), "role": Role.CONTENT_EDITOR, "DELETE": "on"}],
            initial=1,
        ),
    )
    assert response.status_code == 302
    editor.refresh_from_db()
    assert not editor.is_staff and not editor.roles.exists()
    assert AuditLog.objects.filter(action="role.revoke").count() == 1


def test_the_admin_speaks_vietnamese(admin_client: Client) -> None:
    page = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Quản trị hocvuso" in page
