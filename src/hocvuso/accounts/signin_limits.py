"""Limits on failed sign-ins, per account named and per IP address.

Only failures are counted: a class or a festival stand whose learners all come
through one Wi-Fi (or a mobile operator's shared address) signs in freely,
while guessing one account's password, or many accounts' from one address, is
stopped. The authentication backend checks the limits before hashing the
password (a blocked attempt costs no CPU) and counts each failure, so every
sign-in form (the site's, the admin's) is covered.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from hocvuso.accounts.identifiers import parse_identifier

# Set on a request whose sign-in the backend refused for the limits, so that
# the sign-in page can answer 429 without reading the counters a second time.
_REFUSED = "_hocvuso_signin_refused"


def _account_rate(group: str | None, request: HttpRequest) -> str:
    return str(settings.HOCVUSO_LOGIN_RATE)


def _ip_rate(group: str | None, request: HttpRequest) -> str:
    return str(settings.HOCVUSO_LOGIN_IP_RATE)


def signin_blocked(
    request: HttpRequest, identifier: str, *, fail: bool = False
) -> bool:
    """Return whether sign-ins naming ``identifier`` from here are blocked.

    With ``fail``, first count one more failed attempt. The account is the
    identifier as the backend reads it, so ``+84 912…`` and ``0912…`` count
    as one.
    """
    account = parse_identifier(identifier).value
    limits = (
        ("accounts.signin.account", lambda _g, _r: account, _account_rate),
        ("accounts.signin.ip", "ip", _ip_rate),
    )
    blocked = False
    for group, key, rate in limits:
        usage = get_usage(
            request, group=group, key=key, rate=rate, method="POST", increment=fail
        )
        if usage is not None and usage["count"] >= usage["limit"]:
            blocked = True
    return blocked


def signin_refuse(request: HttpRequest) -> None:
    """Note that this request's sign-in was refused for the limits."""
    setattr(request, _REFUSED, True)


def signin_refused(request: HttpRequest) -> bool:
    """Return whether the backend refused this request's sign-in for the limits."""
    return bool(getattr(request, _REFUSED, False))
