"""Personal access tokens: make, list, revoke, and find the one a request sent.

Services write and audit (``api_token.create``, ``api_token.revoke``); the
secret itself is returned once by ``api_token_create`` and never stored. A
token acts for its owner with the owner's roles, limited by its scopes:
``read`` for GET/HEAD/OPTIONS, ``write`` for every other method.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.errors import AccountError
from hocvuso.accounts.models import User
from hocvuso.accounts.token_models import ApiToken, TokenScope
from hocvuso.core.services import audit_record

TOKEN_PREFIX = "hvs_"
MAX_TOKENS = 20
MAX_DAYS = 365
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# last_used_at is written at most this often, not on every request.
_USE_RESOLUTION = timedelta(minutes=5)


class TokenNotFound(AccountError):
    """The token is not one of the actor's."""

    status = 404


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def scope_for_method(method: str) -> str:
    """Return the scope an HTTP method needs."""
    return TokenScope.READ if method.upper() in SAFE_METHODS else TokenScope.WRITE


@transaction.atomic
def api_token_create(
    *,
    actor: User,
    name: str,
    scopes: list[str],
    days: int | None = 90,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for ``actor``; return it with its secret (shown only now).

    ``days`` None makes a token that does not expire. Raises ``AccountError``
    (400) for an empty name, an unknown scope, a bad lifetime or too many
    live tokens; nothing is written then.
    """
    now = now or timezone.now()
    name = " ".join(name.split())[:80]
    if not name:
        raise AccountError(_("Give the token a name, e.g. the app that uses it."))
    wanted = sorted(set(scopes))
    if not wanted or any(s not in TokenScope.values for s in wanted):
        raise AccountError(_("Choose what the token may do: read, write or both."))
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise AccountError(
            _("A token lasts from 1 to %(max)d days.") % {"max": MAX_DAYS}
        )
    live = api_tokens_of(user=actor).filter(revoked_at__isnull=True).count()
    if live >= MAX_TOKENS:
        raise AccountError(
            _("You have %(n)d tokens already: revoke one first.") % {"n": live}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=_digest(secret),
        scopes=wanted,
        expires_at=now + timedelta(days=days) if days is not None else None,
    )
    audit_record(
        actor=actor,
        action="api_token.create",
        obj=token,
        after={
            "name": name,
            "scopes": wanted,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        },
    )
    return token, secret


@transaction.atomic
def api_token_revoke(
    *, actor: User, token_id: str, now: datetime | None = None
) -> ApiToken:
    """Revoke one of ``actor``'s tokens (idempotent: revoking twice keeps the first)."""
    token = (
        api_tokens_of(user=actor).select_for_update().filter(pk=token_id).first()
        if _is_uuid(token_id)
        else None
    )
    if token is None:
        raise TokenNotFound(_("This token does not exist."))
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor,
            action="api_token.revoke",
            obj=token,
            after={"revoked_at": token.revoked_at.isoformat()},
        )
    return token


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """Return ``user``'s tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def api_token_find(secret: str, *, now: datetime | None = None) -> ApiToken | None:
    """Return the live token ``secret`` is, with its active user; else None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > _USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
