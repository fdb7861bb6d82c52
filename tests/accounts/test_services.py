from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from tests.factories import PASSWORD, commune, learner_in, province, user_with_role

from hocvuso.accounts.errors import PermissionDeniedError
from hocvuso.accounts.models import (
    Consent,
    ConsentMethod,
    DataRequest,
    LearnerProfile,
    Role,
    User,
)
from hocvuso.accounts.services import (
    RegistrationData,
    account_anonymise,
    account_register,
    data_request_create,
    profile_update,
    role_assign,
)
from hocvuso.core.models import AuditLog
from hocvuso.framework.models import TargetGroup

pytestmark = pytest.mark.django_db


def reg(**kw: object) -> RegistrationData:
    base: dict[str, object] = {
        "full_name": "Nguyễn Thị Lan",
        "identifier": "0912 345 678",
        "password": PASSWORD,
        "birth_year": 1968,
        "target_group": TargetGroup.objects.get(slug="farmers"),
        "commune": commune(30178),
        "national_id": "",
    }
    base.update(kw)
    return RegistrationData(**base)  # type: ignore[arg-type]


def test_register_creates_user_profile_consent_and_audit() -> None:
    user = account_register(actor=None, data=reg(), consent_given=True)
    assert user.phone == "0912345678" and user.username == "0912345678"
    assert user.check_password(PASSWORD)
    profile = LearnerProfile.objects.get(user=user)
    assert profile.target_group.slug == "farmers" and profile.commune_id == 30178
    consent = Consent.objects.get(user=user)
    assert consent.method == ConsentMethod.SELF and consent.policy_version == "2026-01"
    entry = AuditLog.objects.get(action="account.register")
    assert entry.object_id == str(user.pk) and entry.after["commune"] == "30178"


def test_register_without_consent_writes_nothing() -> None:
    with pytest.raises(ValidationError) as exc:
        account_register(actor=None, data=reg(), consent_given=False)
    assert "consent" in exc.value.error_dict
    assert not User.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="account").exists()


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("identifier", {"identifier": "12345"}),
        ("national_id", {"national_id": "12345"}),
        ("birth_year", {"birth_year": 1800}),
        ("full_name", {"full_name": "   "}),
    ],
)
def test_register_rejects_bad_fields(field: str, kw: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as exc:
        account_register(actor=None, data=reg(**kw), consent_given=True)
    assert field in exc.value.error_dict
    assert not User.objects.exists()


def test_register_rejects_weak_password_and_rolls_back() -> None:
    with pytest.raises(ValidationError):
        account_register(actor=None, data=reg(password="12345678"), consent_given=True)
    assert not User.objects.exists() and not LearnerProfile.objects.exists()


def test_duplicate_phone_email_and_national_id_are_refused() -> None:
    account_register(
        actor=None, data=reg(national_id="001099012345"), consent_given=True
    )
    with pytest.raises(ValidationError) as exc:
        account_register(actor=None, data=reg(), consent_given=True)
    assert "identifier" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        account_register(
            actor=None,
            data=reg(identifier="x@example.vn", national_id="001099012345"),
            consent_given=True,
        )
    assert "national_id" in exc.value.error_dict
    account_register(
        actor=None, data=reg(identifier="A@Example.vn"), consent_given=True
    )
    with pytest.raises(ValidationError) as exc:
        account_register(
            actor=None, data=reg(identifier="a@example.vn"), consent_given=True
        )
    assert "identifier" in exc.value.error_dict


def test_national_id_is_never_stored_in_clear() -> None:
    user = account_register(
        actor=None, data=reg(national_id="001099012345"), consent_given=True
    )
    assert user.national_id_last4 == "2345"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_user")
        rows = cursor.fetchall()
        cursor.execute("SELECT before, after FROM core_auditlog")
        rows += cursor.fetchall()
    assert "001099012345" not in repr(rows)


def test_helper_registers_someone_with_assisted_consent() -> None:
    helper = user_with_role(Role.COMMUNITY_HELPER, commune_code=30178)
    user = account_register(actor=helper, data=reg(), consent_given=True)
    assert user.registered_by == helper
    consent = Consent.objects.get(user=user)
    assert consent.method == ConsentMethod.ASSISTED and consent.recorded_by == helper
    assert AuditLog.objects.get(action="account.register.assisted").actor == helper


def test_plain_learner_cannot_register_others() -> None:
    learner = learner_in(30178)
    with pytest.raises(PermissionDeniedError):
        account_register(actor=learner, data=reg(), consent_given=True)


def test_profile_update_is_audited_with_before_and_after() -> None:
    user = learner_in(30178)
    profile_update(
        actor=user,
        user=user,
        full_name="Trần Văn Ba",
        birth_year=1980,
        target_group=TargetGroup.objects.get(slug="workers"),
        commune=commune(70),
    )
    entry = AuditLog.objects.get(action="profile.update")
    assert entry.before["commune"] == "30178" and entry.after["commune"] == "70"
    assert entry.after["full_name"] == "Trần Văn Ba"
    assert user.roles.get(role=Role.LEARNER).commune_id == 70


def test_profile_update_of_someone_else_is_refused() -> None:
    a, b = learner_in(30178), learner_in(70)
    with pytest.raises(PermissionDeniedError):
        profile_update(
            actor=a,
            user=b,
            full_name="x",
            birth_year=None,
            target_group=None,
            commune=None,
        )


def test_role_assign_is_idempotent_and_audited() -> None:
    admin = user_with_role(Role.NATIONAL_ADMIN)
    user = learner_in(30178)
    first = role_assign(
        actor=admin, user=user, role=Role.PROVINCE_OFFICER, province=province(82)
    )
    again = role_assign(
        actor=admin, user=user, role=Role.PROVINCE_OFFICER, province=province(82)
    )
    assert first.pk == again.pk
    assert AuditLog.objects.filter(action="role.assign").count() == 1
    with pytest.raises(PermissionDeniedError):
        role_assign(actor=user, user=admin, role=Role.NATIONAL_ADMIN)


def test_anonymise_erases_identity_but_keeps_statistics() -> None:
    user = account_register(
        actor=None, data=reg(national_id="001099012345"), consent_given=True
    )
    account_anonymise(actor=user, user=user)
    user.refresh_from_db()
    assert user.phone is None and user.full_name == "" and user.national_id_hash is None
    assert not user.is_active and not user.has_usable_password()
    profile = LearnerProfile.objects.get(user=user)
    assert profile.commune_id == 30178 and profile.target_group.slug == "farmers"
    assert Consent.objects.get(user=user).withdrawn_at is not None
    assert DataRequest.objects.get(user=user).status == DataRequest.Status.DONE
    # The phone number can be used again by a new account.
    account_register(actor=None, data=reg(), consent_given=True)


def test_correction_request_needs_a_message() -> None:
    user = learner_in(30178)
    with pytest.raises(ValidationError):
        data_request_create(actor=user, kind=DataRequest.Kind.CORRECTION, message=" ")
    req = data_request_create(
        actor=user, kind=DataRequest.Kind.CORRECTION, message="Sai năm sinh"
    )
    assert req.status == DataRequest.Status.OPEN
