"""Writes for sign-in with an OpenID provider: accounts, links, levels.

The rules (docs/sign-in-oidc.md):

* A known (issuer, subject) signs in to its account; the account's
  ``identity_level`` follows the level the provider gives at each sign-in
  (audited when it changes).
* An unknown subject whose citizen ID number (keyed hash) no account holds
  gets a new learner account, created once the person has chosen their group
  and commune and consented (``oidc_account_create``).
* An unknown subject whose citizen ID number an account already holds is
  never linked automatically: the person signs in to that account with its
  password first (``oidc_identity_link``), or a helper sets a new password.
* Linking and unlinking are audited; an account keeps a way to sign in
  (unlinking needs a usable password).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.errors import OidcLinkConflict, PermissionDeniedError
from hocvuso.accounts.models import (
    Consent,
    ConsentMethod,
    IdentityLevel,
    LearnerProfile,
    OidcIdentity,
    Role,
    RoleAssignment,
    User,
)
from hocvuso.accounts.oidc_config import OidcPerson
from hocvuso.accounts.services import CONSENT_PURPOSES, PROFILE_FIELDS
from hocvuso.accounts.signals import identity_level_changed
from hocvuso.core.services import audit_record, model_snapshot
from hocvuso.framework.models import TargetGroup
from hocvuso.geo.models import Commune


@dataclass(frozen=True)
class OidcSignin:
    """What a provider's sign-in leads to: exactly one of the three is set.

    ``user``: the linked account, signed in. ``holder``: an account that
    already holds the person's citizen ID number (link it after its password).
    ``new``: nobody is known; an account is to be created.
    """

    user: User | None = None
    holder: User | None = None
    new: bool = False


def _level_follow(*, actor: User, user: User, level: int) -> None:
    if user.identity_level == level:
        return
    before = {"identity_level": user.identity_level}
    user.identity_level = level
    user.save(update_fields=["identity_level"])
    audit_record(
        actor=actor,
        action="account.identity_level",
        obj=user,
        before=before,
        after={"identity_level": level},
    )
    uid = str(user.pk)
    transaction.on_commit(
        lambda: identity_level_changed.send(sender=User, user_id=uid, level=level)
    )


@transaction.atomic
def oidc_signin(*, person: OidcPerson, now: datetime | None = None) -> OidcSignin:
    """Resolve a provider's person to an account; update a linked one's level."""
    identity = (
        OidcIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=person.issuer, subject=person.subject)
        .first()
    )
    if identity is not None:
        user = identity.user
        identity.level = person.level
        identity.seen_at = now or timezone.now()
        identity.save(update_fields=["level", "seen_at", "updated_at"])
        if user.is_active:
            _level_follow(actor=user, user=user, level=person.level)
        return OidcSignin(user=user)
    if person.national_id_hash:
        holder = User.objects.filter(national_id_hash=person.national_id_hash).first()
        if holder is not None:
            return OidcSignin(holder=holder)
    return OidcSignin(new=True)


def _identity_add(*, actor: User, user: User, person: OidcPerson) -> OidcIdentity:
    identity = OidcIdentity.objects.create(
        user=user,
        issuer=person.issuer,
        subject=person.subject,
        level=person.level,
        seen_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="oidc.link",
        obj=user,
        after={"issuer": person.issuer, "level": person.level},
    )
    return identity


@transaction.atomic
def oidc_account_create(
    *,
    person: OidcPerson,
    full_name: str,
    birth_year: int | None,
    target_group: TargetGroup | None,
    commune: Commune | None,
    consent_given: bool,
) -> User:
    """Create the learner account of a person the provider vouches for.

    The account has no password (it signs in through the provider), the
    provider's phone number when no account has it, the citizen ID number's
    keyed hash and last 4 digits, and the provider's level. Raises
    ``OidcLinkConflict`` when the subject or the citizen ID number got an
    account meanwhile (nothing is written then); a concurrent double submit
    fails on the (issuer, subject) constraint with ``IntegrityError``.
    """
    if not consent_given:
        raise OidcLinkConflict(_("Consent is needed to create an account."))
    if OidcIdentity.objects.filter(
        issuer=person.issuer, subject=person.subject
    ).exists() or (
        person.national_id_hash
        and User.objects.filter(national_id_hash=person.national_id_hash).exists()
    ):
        raise OidcLinkConflict(_("An account already exists for you. Sign in again."))
    phone = person.phone
    if phone and User.objects.filter(phone=phone).exists():
        phone = None
    if phone and User.objects.filter(username=phone).exists():
        phone = None
    user = User(
        username=phone or f"u-{secrets.token_hex(6)}",
        full_name=" ".join(full_name.split())[:150] or person.full_name,
        phone=phone,
        national_id_hash=person.national_id_hash or None,
        national_id_last4=person.national_id_last4,
        identity_level=person.level,
    )
    user.set_unusable_password()
    user.save()
    profile = LearnerProfile.objects.create(
        user=user, birth_year=birth_year, target_group=target_group, commune=commune
    )
    if commune is not None:
        RoleAssignment.objects.create(user=user, role=Role.LEARNER, commune=commune)
    Consent.objects.create(
        user=user,
        policy_version=settings.HOCVUSO_PRIVACY_POLICY_VERSION,
        purposes=CONSENT_PURPOSES,
        method=ConsentMethod.SELF,
    )
    audit_record(
        actor=user,
        action="account.register.oidc",
        obj=user,
        after=model_snapshot(profile, PROFILE_FIELDS)
        | {
            "policy_version": settings.HOCVUSO_PRIVACY_POLICY_VERSION,
            "identity_level": person.level,
        },
    )
    _identity_add(actor=user, user=user, person=person)
    return user


@transaction.atomic
def oidc_identity_link(*, actor: User, user: User, person: OidcPerson) -> OidcIdentity:
    """Link the provider's ``person`` to ``user`` (who re-authenticated).

    Idempotent for the same subject. Refused (``OidcLinkConflict``) when the
    subject belongs to another account, ``user`` has another identity at this
    issuer, or the citizen ID numbers disagree.
    """
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDeniedError(_("You can only link your own account."))
    user = User.objects.select_for_update().get(pk=user.pk)
    existing = OidcIdentity.objects.filter(
        issuer=person.issuer, subject=person.subject
    ).first()
    if existing is not None:
        if existing.user_id != user.pk:
            raise OidcLinkConflict(
                _("This identity is already linked to another account.")
            )
        return existing
    if OidcIdentity.objects.filter(user=user, issuer=person.issuer).exists():
        raise OidcLinkConflict(
            _("This account is already linked to another identity at this service.")
        )
    if person.national_id_hash:
        if user.national_id_hash and user.national_id_hash != person.national_id_hash:
            raise OidcLinkConflict(
                _("The citizen ID number of this account differs from the identity's.")
            )
        other = User.objects.filter(national_id_hash=person.national_id_hash).exclude(
            pk=user.pk
        )
        if other.exists():
            raise OidcLinkConflict(
                _("Another account holds this citizen ID number. Ask a helper.")
            )
        if not user.national_id_hash:
            user.national_id_hash = person.national_id_hash
            user.national_id_last4 = person.national_id_last4
            user.save(update_fields=["national_id_hash", "national_id_last4"])
    identity = _identity_add(actor=actor, user=user, person=person)
    _level_follow(actor=actor, user=user, level=person.level)
    return identity


@transaction.atomic
def oidc_identity_unlink(*, actor: User, identity: OidcIdentity) -> User:
    """Remove a link; the account must still be able to sign in with a password.

    The account's ``identity_level`` drops to "not verified" when no linked
    identity remains to vouch for it.
    """
    user = User.objects.select_for_update().get(pk=identity.user_id)
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDeniedError(_("You can only unlink your own account."))
    if not user.has_usable_password():
        raise OidcLinkConflict(
            _("This account has no password: it can only sign in this way.")
        )
    issuer = identity.issuer
    identity.delete()
    audit_record(actor=actor, action="oidc.unlink", obj=user, before={"issuer": issuer})
    if not OidcIdentity.objects.filter(user=user).exists():
        _level_follow(actor=actor, user=user, level=IdentityLevel.NONE)
    return user
