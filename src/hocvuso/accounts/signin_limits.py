"""Limits on failed sign-ins: per account, per trusted device, per IP address.

Why a limiter of our own rather than django-axes or django-ratelimit:
django-ratelimit counts in fixed windows (the count resets at each window's
edge, so a guesser gets twice the rate across it) and checks before it counts
(parallel guesses all pass the check). django-axes also checks before the
password and counts after it, and has no notion of a trusted device. Here
every attempt is a row (``accounts/limits.py``): sliding windows, counted
*before* the password is hashed, so no more attempts than the limit are ever
checked, even when they arrive in parallel.

The rules, read once per attempt from the settings (see README):

* **Per account** (``HOCVUSO_LOGIN_RATE``, 5/m, and ``HOCVUSO_LOGIN_HOURLY_RATE``,
  30/h, within ASVS's 100 an hour): failed attempts on one account from
  untrusted clients. An identifier that names a user counts for that user, so
  the phone number and the citizen ID number of one person share one count;
  an identifier that names nobody counts for itself (normalised, so
  ``+84 912…`` and ``0912…`` are one), with the same limits and the same
  answers: the limits do not tell whether an account exists.
* **Trusted devices** (OWASP, "Slow down online guessing attacks with device
  cookies"): a successful sign-in sets a signed, long-lived cookie naming the
  user and a random nonce. Attempts on that account carrying it are counted
  apart, per device, with the same rates, and no other count applies to them:
  someone guessing a password elsewhere cannot lock the owner out of their own
  phone (or an administrator out of the admin).
* **Per IP address** (``HOCVUSO_LOGIN_IP_RATE``, 30/m, IPv6 per /64): failed
  attempts from one address of untrusted clients. An address over it is
  refused only for accounts that have themselves failed within that period;
  an account with no recent failure still gets through, so a class or a
  festival stand on one Wi-Fi keeps signing in while someone there guesses.

Only failures count: a successful attempt deletes its rows, and so does an
attempt refused for the limits (no password was checked), so a refused client
waits out the window rather than extending it. A refusal lasts until enough
failures leave the window: a cool-off of at most the window's period after the
failures, never a hard lock. ``hocvuso signin_reset`` or the admin action on
users clears an account's counts (audited).

Keys are keyed hashes: neither phone numbers, ID numbers nor addresses are
stored. What remains visible from outside is that the phone number and the
ID number of one account share a count, which only someone who already holds
both, and spends the account's attempts, can observe.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from hocvuso.accounts.identifiers import parse_identifier
from hocvuso.accounts.limits import (
    Rate,
    event_add,
    event_count,
    event_forget,
    event_over,
    limit_key,
)
from hocvuso.accounts.models import LimitEvent, User

Scope = LimitEvent.Scope

DEVICE_COOKIE = "hocvuso_device"
_DEVICE_SALT = "hocvuso.accounts.device"
_DEVICE_MAX_AGE = 400 * 86400  # the longest a browser keeps a cookie
_DEVICE_USERS = 5  # accounts remembered per device (a family's shared phone)

# Set on a request whose sign-in the backend refused for the limits, so that
# the sign-in page can answer 429 without reading the counters a second time.
_REFUSED = "_hocvuso_signin_refused"
# Set on a request whose sign-in succeeded: the device cookie to send back.
_TRUST = "_hocvuso_device_cookie"


def _now() -> datetime:
    """Return the current time (tests travel in time with time-machine)."""
    return timezone.now()


@dataclass(frozen=True)
class SigninRates:
    """The limits of one attempt, parsed from the settings."""

    account: tuple[Rate, ...]
    ip: Rate

    @property
    def keep(self) -> timedelta:
        return max(rate.period for rate in (*self.account, self.ip))


def signin_rates() -> SigninRates:
    """Return the sign-in limits the settings name (``ValueError`` if malformed)."""
    return SigninRates(
        account=(
            Rate.parse(str(settings.HOCVUSO_LOGIN_RATE)),
            Rate.parse(str(settings.HOCVUSO_LOGIN_HOURLY_RATE)),
        ),
        ip=Rate.parse(str(settings.HOCVUSO_LOGIN_IP_RATE)),
    )


@dataclass(frozen=True)
class SigninAttempt:
    """The outcome of the limits for one attempt, and the rows it wrote."""

    allowed: bool
    trusted: bool
    events: tuple[int, ...] = ()


def account_key(identifier: str, user: User | None) -> str:
    """Return the hashed counter key of the account an attempt names."""
    if user is not None:
        return limit_key("user", str(user.pk))
    ident = parse_identifier(identifier)
    return limit_key("identifier", ident.kind.value, ident.value)


def client_address(request: HttpRequest) -> str:
    """Return the client's address as counted: IPv4 as is, IPv6 per /64."""
    raw = str(request.META.get("REMOTE_ADDR") or "")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _device_entries(request: HttpRequest) -> dict[str, str]:
    """Return {user id: nonce} from a valid device cookie (empty otherwise)."""
    value = request.get_signed_cookie(
        DEVICE_COOKIE, default="", salt=_DEVICE_SALT, max_age=_DEVICE_MAX_AGE
    )
    entries: dict[str, str] = {}
    for item in str(value or "").split(","):
        user_id, sep, nonce = item.partition(":")
        if sep and user_id and nonce:
            entries[user_id] = nonce
    return entries


def device_nonce(request: HttpRequest, user: User) -> str | None:
    """Return this device's nonce for ``user`` if it carries a valid cookie."""
    return _device_entries(request).get(str(user.pk))


def signin_attempt_begin(
    request: HttpRequest,
    *,
    identifier: str,
    user: User | None,
    now: datetime | None = None,
) -> SigninAttempt:
    """Count one attempt, then return whether its password may be checked.

    Must run outside a transaction: each row commits before the counts are
    read, which is what keeps parallel attempts within the limits.
    """
    now = now or _now()
    rates = signin_rates()
    account = account_key(identifier, user)
    nonce = device_nonce(request, user) if user is not None else None
    if user is not None and nonce is not None:
        device = limit_key("device", str(user.pk), nonce)
        event = event_add(
            scope=Scope.SIGNIN_DEVICE,
            key=device,
            account=account,
            now=now,
            keep=rates.keep,
        )
        if event_over(
            scope=Scope.SIGNIN_DEVICE, key=device, now=now, rates=rates.account
        ):
            event_forget([event])
            return SigninAttempt(allowed=False, trusted=True)
        return SigninAttempt(allowed=True, trusted=True, events=(event,))
    address = limit_key("ip", client_address(request))
    events = (
        event_add(scope=Scope.SIGNIN_ACCOUNT, key=account, now=now, keep=rates.keep),
        event_add(
            scope=Scope.SIGNIN_IP,
            key=address,
            account=account,
            now=now,
            keep=rates.keep,
        ),
    )
    refused = event_over(
        scope=Scope.SIGNIN_ACCOUNT, key=account, now=now, rates=rates.account
    ) or (
        event_over(scope=Scope.SIGNIN_IP, key=address, now=now, rates=(rates.ip,))
        # The account failed within the address's period (besides this attempt).
        and event_count(scope=Scope.SIGNIN_ACCOUNT, key=account, now=now, rate=rates.ip)
        > 1
    )
    if refused:
        event_forget(events)
        return SigninAttempt(allowed=False, trusted=False)
    return SigninAttempt(allowed=True, trusted=False, events=events)


def signin_attempt_succeeded(
    request: HttpRequest, attempt: SigninAttempt, user: User
) -> None:
    """Uncount a successful attempt and trust this device for ``user``."""
    event_forget(attempt.events)
    device_trust(request, user)


def device_trust(request: HttpRequest, user: User) -> None:
    """Have the response set (or renew) the device cookie naming ``user``.

    ``DeviceCookieMiddleware`` writes the cookie; the nonce a device already
    holds for the user is kept, so its own count carries on.
    """
    entries = _device_entries(request)
    nonce = entries.pop(str(user.pk), None) or secrets.token_urlsafe(16)
    kept = [(str(user.pk), nonce), *entries.items()][:_DEVICE_USERS]
    setattr(request, _TRUST, ",".join(f"{uid}:{n}" for uid, n in kept))


def device_cookie_write(request: HttpRequest, response: HttpResponse) -> None:
    """Set the device cookie on ``response`` if this request's sign-in asked."""
    value = getattr(request, _TRUST, None)
    if value is None:
        return
    response.set_signed_cookie(
        DEVICE_COOKIE,
        value,
        salt=_DEVICE_SALT,
        max_age=_DEVICE_MAX_AGE,
        secure=bool(settings.SESSION_COOKIE_SECURE),
        httponly=True,
        samesite="Lax",
    )


def signin_failures_forget(user: User) -> int:
    """Delete ``user``'s counted failures (every device); return how many."""
    account = limit_key("user", str(user.pk))
    deleted, _ = LimitEvent.objects.filter(
        scope=Scope.SIGNIN_ACCOUNT, key=account
    ).delete()
    devices, _ = LimitEvent.objects.filter(
        scope=Scope.SIGNIN_DEVICE, account=account
    ).delete()
    return deleted + devices


def signin_refuse(request: HttpRequest) -> None:
    """Note that this request's sign-in was refused for the limits."""
    setattr(request, _REFUSED, True)


def signin_refused(request: HttpRequest) -> bool:
    """Return whether the backend refused this request's sign-in for the limits."""
    return bool(getattr(request, _REFUSED, False))


def provider_attempt_begin(
    request: HttpRequest, *, issuer: str, now: datetime | None = None
) -> SigninAttempt:
    """Count an identity provider's answer against the address's sign-in limit.

    Answers that fail (a forged or replayed callback, a bad state) stay
    counted with the failed password sign-ins of the address
    (``HOCVUSO_LOGIN_IP_RATE``); ``signin_attempt_forget`` uncounts a success.
    Must run outside a transaction, as ``signin_attempt_begin``.
    """
    now = now or _now()
    rates = signin_rates()
    address = limit_key("ip", client_address(request))
    event = event_add(
        scope=Scope.SIGNIN_IP,
        key=address,
        account=limit_key("provider", issuer),
        now=now,
        keep=rates.keep,
    )
    if event_over(scope=Scope.SIGNIN_IP, key=address, now=now, rates=(rates.ip,)):
        event_forget([event])
        return SigninAttempt(allowed=False, trusted=False)
    return SigninAttempt(allowed=True, trusted=False, events=(event,))


def signin_attempt_forget(attempt: SigninAttempt) -> None:
    """Uncount an attempt that succeeded (or did not count after all)."""
    event_forget(attempt.events)
