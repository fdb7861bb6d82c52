"""Accounts and links made from a provider's sign-in; levels follow the provider."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.factories import UserFactory, commune

from hocvuso.accounts.errors import OidcLinkConflict
from hocvuso.accounts.identifiers import national_id_hash
from hocvuso.accounts.models import Consent, OidcIdentity, Role, User
from hocvuso.accounts.oidc_config import OidcPerson
from hocvuso.accounts.oidc_services import (
    oidc_account_create,
    oidc_identity_link,
    oidc_identity_unlink,
    oidc_signin,
)
from hocvuso.core.models import AuditLog
from hocvuso.framework.models import TargetGroup

pytestmark = pytest.mark.django_db

ISSUER = "https://sso.example.vn"
LAN = OidcPerson(
    issuer=ISSUER,
    subject="lan",
    level=2,
    full_name="Nguyễn Thị Lan",
    phone="0912000111",
    national_id_hash=national_id_hash("001168000111"),
    national_id_last4="0111",
    birth_year=1968,
)


def create(person: OidcPerson = LAN) -> User:
    return oidc_account_create(
        person=person,
        full_name=person.full_name,
        birth_year=person.birth_year,
        target_group=TargetGroup.objects.get(slug="farmers"),
        commune=commune(30178),
        consent_given=True,
    )


def actions(user: User) -> list[str]:
    return list(
        AuditLog.objects.filter(object_id=str(user.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_an_unknown_person_gets_a_learner_account_once() -> None:
    assert oidc_signin(person=LAN).new
    user = create()
    assert user.identity_level == 2
    assert user.national_id_hash == LAN.national_id_hash
    assert user.national_id_last4 == "0111"
    assert user.phone == user.username == "0912000111"
    assert not user.has_usable_password()
    assert user.roles.get().role == Role.LEARNER
    assert Consent.objects.filter(user=user).count() == 1
    assert actions(user) == ["account.register.oidc", "oidc.link"]
    # The same subject signs in to the same account; a second create is refused.
    assert oidc_signin(person=LAN).user == user
    with pytest.raises(OidcLinkConflict):
        create()
    assert User.objects.count() == 1


def test_no_account_without_consent() -> None:
    with pytest.raises(OidcLinkConflict):
        oidc_account_create(
            person=LAN,
            full_name="x",
            birth_year=None,
            target_group=None,
            commune=None,
            consent_given=False,
        )
    assert not User.objects.exists()


def test_a_phone_number_someone_else_holds_is_not_taken() -> None:
    UserFactory(username="0912000111", phone="0912000111")
    user = create()
    assert user.phone is None and user.username.startswith("u-")


def test_the_level_follows_the_provider_and_is_audited() -> None:
    user = create()
    signin = oidc_signin(person=replace(LAN, level=1))
    assert signin.user == user
    user.refresh_from_db()
    assert user.identity_level == 1
    assert OidcIdentity.objects.get(user=user).level == 1
    entry = AuditLog.objects.get(action="account.identity_level")
    assert (entry.before, entry.after) == ({"identity_level": 2}, {"identity_level": 1})
    oidc_signin(person=replace(LAN, level=1))  # unchanged: no new entry
    assert AuditLog.objects.filter(action="account.identity_level").count() == 1


def test_an_account_with_the_same_citizen_id_is_never_linked_by_itself() -> None:
    holder = UserFactory(
        national_id_hash=LAN.national_id_hash, national_id_last4="0111"
    )
    signin = oidc_signin(person=LAN)
    assert signin.holder == holder and signin.user is None and not signin.new
    assert not OidcIdentity.objects.exists()
    with pytest.raises(OidcLinkConflict):
        create()
    oidc_identity_link(actor=holder, user=holder, person=LAN)
    assert oidc_signin(person=LAN).user == holder


def test_linking_rules() -> None:
    user = UserFactory()
    other = UserFactory()
    identity = oidc_identity_link(actor=user, user=user, person=LAN)
    user.refresh_from_db()
    assert (user.identity_level, user.national_id_last4) == (2, "0111")
    # Idempotent for the same subject.
    assert oidc_identity_link(actor=user, user=user, person=LAN) == identity
    # The subject is taken; the account has an identity at this issuer already.
    with pytest.raises(OidcLinkConflict):
        oidc_identity_link(actor=other, user=other, person=LAN)
    with pytest.raises(OidcLinkConflict):
        oidc_identity_link(actor=user, user=user, person=replace(LAN, subject="x"))
    # Another account holds this citizen ID, or the account holds another one.
    with pytest.raises(OidcLinkConflict):
        oidc_identity_link(
            actor=other, user=other, person=replace(LAN, subject="lan-2")
        )
    third = UserFactory(national_id_hash=national_id_hash("001199000999"))
    with pytest.raises(OidcLinkConflict):
        oidc_identity_link(
            actor=third, user=third, person=replace(LAN, subject="lan-3")
        )
    assert OidcIdentity.objects.count() == 1
    assert AuditLog.objects.filter(action="oidc.link").count() == 1


def test_unlink_needs_a_password_and_drops_the_level() -> None:
    user = UserFactory()
    identity = oidc_identity_link(actor=user, user=user, person=LAN)
    oidc_identity_unlink(actor=user, identity=identity)
    user.refresh_from_db()
    assert user.identity_level == 0
    assert not OidcIdentity.objects.exists()
    assert "oidc.unlink" in actions(user)

    only_provider = create(replace(LAN, subject="b", national_id_hash="", phone=None))
    with pytest.raises(OidcLinkConflict):
        oidc_identity_unlink(
            actor=only_provider, identity=only_provider.oidc_identities.get()
        )
    assert only_provider.oidc_identities.exists()
