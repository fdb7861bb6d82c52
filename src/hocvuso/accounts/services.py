"""Writes for accounts: registration, profiles, roles, consent, data rights."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.errors import PermissionDeniedError
from hocvuso.accounts.guidance import guidance_grant, helps_in
from hocvuso.accounts.identifiers import (
    Kind,
    is_national_id,
    national_id_hash,
    parse_identifier,
)
from hocvuso.accounts.models import (
    Consent,
    ConsentMethod,
    DataRequest,
    LearnerProfile,
    OidcIdentity,
    Role,
    RoleAssignment,
    User,
)
from hocvuso.accounts.permissions import clear_role_cache, has_role
from hocvuso.accounts.signin_limits import signin_failures_forget
from hocvuso.core.services import audit_record, audit_scrub_person, model_snapshot
from hocvuso.core.text import visible
from hocvuso.framework.models import TargetGroup
from hocvuso.geo.models import Commune, Province

CONSENT_PURPOSES = ["learning", "assessment", "certification", "statistics"]
PROFILE_FIELDS = ["birth_year", "target_group", "commune"]


@dataclass(frozen=True)
class RegistrationData:
    full_name: str
    identifier: str
    password: str
    birth_year: int | None
    target_group: TargetGroup | None
    commune: Commune | None
    national_id: str = ""
    language: str = "vi"


def _check_birth_year(year: int | None) -> None:
    if year is None:
        return
    now = timezone.now().year
    if not now - 120 <= year <= now - 5:
        # The params go on the field's own error: a dict-of-messages error
        # ignores them, and the page showed "%(a)d".
        raise ValidationError(
            {
                "birth_year": ValidationError(
                    _("Enter a birth year between %(a)d and %(b)d."),
                    code="birth_year",
                    params={"a": now - 120, "b": now - 5},
                )
            }
        )


@transaction.atomic
def account_register(
    *,
    actor: User | None,
    data: RegistrationData,
    consent_given: bool,
    guidance_consent: bool = False,
) -> User:
    """Create a learner account, profile and consent record in one transaction.

    ``actor`` is None when people register themselves; a community helper or
    commune officer registering someone becomes ``registered_by`` and the
    consent is recorded as given to them (``ConsentMethod.ASSISTED``). With
    ``guidance_consent`` (the person agreed to be guided) a helper of the
    person's commune also gets a guidance grant (``accounts/guidance.py``).
    Raises ``ValidationError`` (with field keys) for bad input; nothing is
    written then.
    """
    if not consent_given:
        raise ValidationError({"consent": _("Consent is needed to create an account.")})
    if actor is not None and not has_role(
        actor, Role.COMMUNITY_HELPER, Role.COMMUNE_OFFICER
    ):
        raise PermissionDeniedError(_("Only community helpers can register others."))
    ident = parse_identifier(data.identifier)
    phone = email = None
    if ident.kind is Kind.PHONE:
        phone = ident.value
        if User.objects.filter(phone=phone).exists():
            raise ValidationError(
                {"identifier": _("This phone number is already registered.")}
            )
    elif ident.kind is Kind.EMAIL:
        email = ident.value
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                {"identifier": _("This e-mail is already registered.")}
            )
    else:
        raise ValidationError(
            {"identifier": _("Enter a mobile phone number (10 digits) or an e-mail.")}
        )
    id_hash = ""
    if data.national_id:
        if not is_national_id(data.national_id):
            raise ValidationError(
                {"national_id": _("A citizen ID number has exactly 12 digits.")}
            )
        id_hash = national_id_hash(data.national_id)
        if User.objects.filter(national_id_hash=id_hash).exists():
            raise ValidationError(
                {"national_id": _("This citizen ID number is already registered.")}
            )
    _check_birth_year(data.birth_year)
    full_name = visible(data.full_name)
    if not full_name:
        raise ValidationError({"full_name": _("Enter your full name.")})
    user = User(
        username=phone or email or f"u-{secrets.token_hex(6)}",
        full_name=full_name[:150],
        phone=phone,
        email=email,
        national_id_hash=id_hash or None,
        national_id_last4=data.national_id[-4:] if data.national_id else "",
        language=data.language if data.language in ("vi", "en") else "vi",
        registered_by=actor,
    )
    validate_password(data.password, user)
    user.set_password(data.password)
    user.save()
    profile = LearnerProfile.objects.create(
        user=user,
        birth_year=data.birth_year,
        target_group=data.target_group,
        commune=data.commune,
    )
    if data.commune is not None:
        RoleAssignment.objects.create(
            user=user, role=Role.LEARNER, commune=data.commune
        )
    Consent.objects.create(
        user=user,
        policy_version=settings.HOCVUSO_PRIVACY_POLICY_VERSION,
        purposes=CONSENT_PURPOSES,
        method=ConsentMethod.ASSISTED if actor else ConsentMethod.SELF,
        recorded_by=actor,
    )
    audit_record(
        actor=actor or user,
        action="account.register.assisted" if actor else "account.register",
        obj=user,
        after=model_snapshot(profile, PROFILE_FIELDS)
        | {"policy_version": settings.HOCVUSO_PRIVACY_POLICY_VERSION},
    )
    if (
        actor is not None
        and guidance_consent
        and data.commune is not None
        and helps_in(actor, data.commune.pk)
    ):
        guidance_grant(actor=actor, helper=actor, learner=user, consent_given=True)
    return user


@transaction.atomic
def profile_update(
    *,
    actor: User,
    user: User,
    full_name: str,
    birth_year: int | None,
    target_group: TargetGroup | None,
    commune: Commune | None,
) -> LearnerProfile:
    """Correct a learner's own profile; the change is audited."""
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDeniedError(_("You can only change your own profile."))
    _check_birth_year(birth_year)
    profile, _created = LearnerProfile.objects.select_for_update().get_or_create(
        user=user
    )
    before = model_snapshot(profile, PROFILE_FIELDS) | {"full_name": user.full_name}
    user.full_name = visible(full_name)[:150] or user.full_name
    user.save(update_fields=["full_name"])
    profile.birth_year = birth_year
    profile.target_group = target_group
    if commune != profile.commune:
        RoleAssignment.objects.filter(user=user, role=Role.LEARNER).delete()
        if commune is not None:
            RoleAssignment.objects.create(user=user, role=Role.LEARNER, commune=commune)
    profile.commune = commune
    profile.save()
    after = model_snapshot(profile, PROFILE_FIELDS) | {"full_name": user.full_name}
    if before != after:
        audit_record(
            actor=actor, action="profile.update", obj=user, before=before, after=after
        )
    return profile


# Roles whose work is in the admin site (items, packs, roles): they get "staff".
ADMIN_SITE_ROLES = (Role.CONTENT_EDITOR, Role.NATIONAL_ADMIN)


@transaction.atomic
def role_assign(
    *,
    actor: User,
    user: User,
    role: str,
    province: Province | None = None,
    commune: Commune | None = None,
    authorised: bool = False,
) -> RoleAssignment:
    """Give ``user`` a role in a unit (idempotent: an existing one is returned).

    ``authorised=True`` is for services of higher apps that have checked the
    actor's right themselves (community: a person accepting a team invitation
    gets ``community_helper`` in the team's commune); the grant is audited
    with the actor as usual.
    """
    if not (authorised or actor.is_superuser or has_role(actor, Role.NATIONAL_ADMIN)):
        raise PermissionDeniedError(_("Only national admins can assign roles."))
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        province=province,
        commune=commune,
        defaults={"granted_by": actor},
    )
    if role in ADMIN_SITE_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if created:
        audit_record(
            actor=actor,
            action="role.assign",
            obj=user,
            after={
                "role": role,
                "province": province.pk if province else None,
                "commune": commune.pk if commune else None,
            },
        )
    clear_role_cache(user)
    return assignment


@transaction.atomic
def role_assignment_revoke(*, actor: User, assignment: RoleAssignment) -> None:
    """Take a role away (audited); the admin site closes with the last admin role."""
    if not (actor.is_superuser or has_role(actor, Role.NATIONAL_ADMIN)):
        raise PermissionDeniedError(_("Only national admins can assign roles."))
    user = assignment.user
    audit_record(
        actor=actor,
        action="role.revoke",
        obj=user,
        before={
            "role": assignment.role,
            "province": assignment.province_id,
            "commune": assignment.commune_id,
        },
    )
    assignment.delete()
    still_admin = user.roles.filter(role__in=ADMIN_SITE_ROLES).exists()
    if user.is_staff and not user.is_superuser and not still_admin:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    clear_role_cache(user)


@transaction.atomic
def role_revoke(
    *,
    actor: User,
    user: User,
    role: str,
    province: Province | None = None,
    commune: Commune | None = None,
    authorised: bool = False,
) -> bool:
    """Take a role in a unit back from ``user``; return whether one was held.

    ``authorised`` as in :func:`role_assign` (community: leaving a team).
    """
    if not (authorised or actor.is_superuser or has_role(actor, Role.NATIONAL_ADMIN)):
        raise PermissionDeniedError(_("Only national admins can assign roles."))
    deleted, _rows = RoleAssignment.objects.filter(
        user=user, role=role, province=province, commune=commune
    ).delete()
    if deleted:
        audit_record(
            actor=actor,
            action="role.revoke",
            obj=user,
            before={
                "role": role,
                "province": province.pk if province else None,
                "commune": commune.pk if commune else None,
            },
        )
    clear_role_cache(user)
    return bool(deleted)


@transaction.atomic
def data_request_create(*, actor: User, kind: str, message: str) -> DataRequest:
    """Record a learner's request about their own data."""
    message = message.strip()
    if kind == DataRequest.Kind.CORRECTION and not message:
        raise ValidationError({"message": _("Say what should be corrected.")})
    request = DataRequest.objects.create(user=actor, kind=kind, message=message[:2000])
    audit_record(actor=actor, action=f"data_request.{kind}", obj=request)
    return request


def _personal_object_ids(user: User) -> list[str]:
    """Return the ids of the account's own records that audit rows may name."""
    ids = [str(user.pk)]
    for model in (LearnerProfile, Consent, DataRequest, RoleAssignment, OidcIdentity):
        ids += [
            str(pk)
            for pk in model.objects.filter(user=user).values_list("pk", flat=True)
        ]
    return ids


@transaction.atomic
def account_anonymise(*, actor: User, user: User) -> User:
    """Delete a person's identifying data but keep anonymous learning records.

    Name, phone, e-mail, the national ID hash and links to identity providers
    are erased, the account can no
    longer sign in, consents are marked withdrawn. Records that feed statistics
    (profile's target group and commune, later learning and assessment records)
    stay attached to the now anonymous account, so counts do not change.
    """
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDeniedError(_("You can only delete your own account."))
    if user.anonymised_at is not None:
        return user
    now = timezone.now()
    audit_scrub_person(
        user_id=user.pk,
        object_ids=_personal_object_ids(user),
        identifiers=[
            v for v in (user.full_name, user.username, user.phone, user.email) if v
        ],
    )
    DataRequest.objects.filter(user=user).update(message="")
    user.username = f"deleted-{user.pk.hex[:12]}"
    user.full_name = ""
    user.phone = None
    user.email = None
    user.national_id_hash = None
    user.national_id_last4 = ""
    user.is_active = False
    user.anonymised_at = now
    user.set_unusable_password()
    user.save()
    LearnerProfile.objects.filter(user=user).update(birth_year=None)
    Consent.objects.filter(user=user, withdrawn_at__isnull=True).update(
        withdrawn_at=now
    )
    DataRequest.objects.create(
        user=user,
        kind=DataRequest.Kind.DELETION,
        status=DataRequest.Status.DONE,
        handled_at=now,
    )
    RoleAssignment.objects.filter(user=user).exclude(role=Role.LEARNER).delete()
    # The provider's subject identifies the person: the link goes too, so the
    # same person may make a new account later.
    OidcIdentity.objects.filter(user=user).delete()
    audit_record(actor=actor, action="account.anonymise", obj=user)
    return user


@transaction.atomic
def account_admin_create(
    *, username: str, full_name: str = "Quản trị viên"
) -> tuple[User, str] | None:
    """Create the first national admin with a random password, once.

    Returns the account and its password (to be shown once), or None when a
    superuser exists already. The account and its role are audited; the role
    is granted through ``role_assign`` like any other.
    """
    if User.objects.filter(is_superuser=True).exists():
        return None
    password = password_generate()
    user = User.objects.create_superuser(
        username=username, password=password, full_name=full_name
    )
    audit_record(actor=None, action="account.create_admin", obj=user)
    role_assign(actor=user, user=user, role=Role.NATIONAL_ADMIN)
    return user, password


@transaction.atomic
def signin_limits_reset(*, actor: User | None, user: User) -> int:
    """Clear ``user``'s counted sign-in failures (every device); return how many.

    For an operator helping someone who is refused; audited. ``actor`` is None
    for the command line.
    """
    cleared = signin_failures_forget(user)
    audit_record(
        actor=actor,
        action="signin.reset",
        obj=user,
        after={"failures_cleared": cleared},
    )
    return cleared


def password_generate() -> str:
    """Return a random password that passes the validators."""
    return secrets.token_urlsafe(12)
