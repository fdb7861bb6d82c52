"""Deleting an account leaves no trace of the person in the audit log."""

from __future__ import annotations

import json

import pytest
from tests.accounts.test_services import reg
from tests.factories import user_with_role

from hocvuso.accounts.models import DataRequest, Role
from hocvuso.accounts.services import (
    account_anonymise,
    account_register,
    data_request_create,
    profile_update,
)
from hocvuso.core.models import AuditLog

pytestmark = pytest.mark.django_db
NAME, NEW_NAME, PHONE = "Nguyễn Thị Lan", "Nguyễn Thị Lan Anh", "0912345678"


def _everything() -> str:
    rows = AuditLog.objects.values_list(
        "actor_label", "object_label", "before", "after"
    )
    return json.dumps(list(rows), ensure_ascii=False)


def test_audit_labels_are_pseudonyms() -> None:
    user = account_register(actor=None, data=reg(), consent_given=True)
    profile_update(
        actor=user,
        user=user,
        full_name=NEW_NAME,
        birth_year=1968,
        target_group=None,
        commune=None,
    )
    labels = list(AuditLog.objects.values_list("actor_label", "object_label"))
    assert labels and all(NAME not in a and NAME not in o for a, o in labels)
    assert ("user " + user.pk.hex[:8]) in {a for a, _ in labels}


def test_anonymising_scrubs_the_audit_rows_and_requests() -> None:
    user = account_register(actor=None, data=reg(), consent_given=True)
    profile_update(
        actor=user,
        user=user,
        full_name=NEW_NAME,
        birth_year=1968,
        target_group=None,
        commune=None,
    )
    data_request_create(
        actor=user,
        kind=DataRequest.Kind.CORRECTION,
        message=f"Số CCCD đúng là 001099012345, điện thoại {PHONE}",
    )
    officer = user_with_role(Role.NATIONAL_ADMIN)
    assert NAME in _everything()  # the profile change kept the old name
    account_anonymise(actor=user, user=user)
    text = _everything()
    for secret in (NAME, NEW_NAME, PHONE, "001099012345", "1968"):
        assert secret not in text, secret
    assert "[đã xoá]" in text
    assert AuditLog.objects.filter(action="profile.update").exists()  # kept
    assert not DataRequest.objects.filter(user=user).exclude(message="").exists()
    assert officer.is_active  # another person's rows are untouched


def test_invisible_characters_are_stripped_from_names() -> None:
    user = account_register(
        actor=None,
        data=reg(full_name="Nguyễn\u200b Thị\u202e  Lan\u2066"),
        consent_given=True,
    )
    assert user.full_name == NAME
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Lan"  # NFD as some keyboards send
    profile_update(
        actor=user,
        user=user,
        full_name=decomposed,
        birth_year=None,
        target_group=None,
        commune=None,
    )
    user.refresh_from_db()
    assert user.full_name == NAME
