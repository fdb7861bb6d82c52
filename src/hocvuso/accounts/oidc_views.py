"""Pages of the sign-in with an OpenID provider (VNeID or another).

Every URL answers 404 while no provider is configured. Errors end on
``accounts/oidc_error.html`` (a Vietnamese message and a way back), with the
error's 4xx status or 503, never a 500.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.exceptions import Ratelimited

from hocvuso.accounts.errors import (
    AccountError,
    OidcClaimsMissing,
    OidcError,
    OidcStateError,
)
from hocvuso.accounts.forms import OidcCompleteForm, PasswordConfirmForm
from hocvuso.accounts.models import OidcIdentity, User
from hocvuso.accounts.oidc_client import (
    oidc_authorize_redirect,
    oidc_callback_claims,
    oidc_logout_url,
)
from hocvuso.accounts.oidc_config import (
    OidcConfig,
    OidcPerson,
    oidc_config,
    person_from_claims,
)
from hocvuso.accounts.oidc_services import (
    oidc_account_create,
    oidc_identity_link,
    oidc_identity_unlink,
    oidc_signin,
)
from hocvuso.accounts.signin_limits import (
    device_trust,
    provider_attempt_begin,
    signin_attempt_forget,
    signin_refused,
)

SESSION_ISSUER = "_hocvuso_oidc_issuer"
_SIGNED_IN_AT = "_hocvuso_oidc_signed_in_at"
_PENDING = "_hocvuso_oidc_pending"
_INTENT = "_hocvuso_oidc_intent"
_NEXT = "_hocvuso_oidc_next"
# A pending first sign-in, or a link asked for after a password check, lasts
# this long (seconds).
_PENDING_TTL = 900
_BACKEND = "hocvuso.accounts.backends.IdentifierBackend"


def _config() -> OidcConfig:
    config = oidc_config()
    if config is None:
        raise Http404
    return config


def _now() -> float:
    return timezone.now().timestamp()


def _error(request: HttpRequest, exc: AccountError) -> HttpResponse:
    return render(
        request,
        "accounts/oidc_error.html",
        {"message": exc.message, "name": _name()},
        status=exc.status,
    )


def _name() -> str:
    config = oidc_config()
    return config.name if config else ""


def _callback_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:oidc_callback"))


def _pending_put(request: HttpRequest, person: OidcPerson, holder: User | None) -> None:
    request.session[_PENDING] = {
        "person": dataclasses.asdict(person),
        "holder": str(holder.pk) if holder else "",
        "at": _now(),
    }


def _pending(request: HttpRequest) -> tuple[OidcPerson, str] | None:
    data = request.session.get(_PENDING)
    if not isinstance(data, dict) or _now() - float(data.get("at", 0)) > _PENDING_TTL:
        return None
    try:
        person = OidcPerson(**data["person"])
    except (KeyError, TypeError):
        return None
    config = oidc_config()
    if config is None or person.issuer != config.issuer:
        return None
    return person, str(data.get("holder", ""))


def _sign_in(request: HttpRequest, user: User, issuer: str) -> HttpResponse:
    next_url = request.session.pop(_NEXT, "")
    request.session.pop(_PENDING, None)
    login(request, user, backend=_BACKEND)
    request.session[SESSION_ISSUER] = issuer
    request.session[_SIGNED_IN_AT] = _now()
    device_trust(request, user)
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(settings.LOGIN_REDIRECT_URL)


def provider_signed_in_recently(request: HttpRequest) -> bool:
    """Return whether this session signed in through the provider recently.

    Stands in for a password check for accounts that have none (deleting
    one's account): the provider has just checked who the person is.
    """
    at = request.session.get(_SIGNED_IN_AT)
    config = oidc_config()
    return (
        config is not None
        and request.session.get(SESSION_ISSUER) == config.issuer
        and isinstance(at, int | float)
        and _now() - float(at) <= _PENDING_TTL
    )


@require_GET
def oidc_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the provider's sign-in page."""
    config = _config()
    request.session.pop(_INTENT, None)
    request.session[_NEXT] = request.GET.get("next", "")[:500]
    try:
        return oidc_authorize_redirect(
            request, config, redirect_uri=_callback_uri(request)
        )
    except OidcError as exc:
        return _error(request, exc)


@login_required
@require_http_methods(["POST"])
def oidc_link_start(request: HttpRequest) -> HttpResponse:
    """Check the password again, then go to the provider to link the account."""
    config = _config()
    user = request.user
    assert isinstance(user, User)
    form = PasswordConfirmForm(request.POST)
    if form.is_valid():
        checked = authenticate(
            request, username=user.username, password=form.cleaned_data["password"]
        )
        if signin_refused(request):
            raise Ratelimited
        if checked is not None and checked.pk == user.pk:
            request.session[_INTENT] = {"link": str(user.pk), "at": _now()}
            request.session[_NEXT] = reverse("accounts:profile")
            try:
                return oidc_authorize_redirect(
                    request, config, redirect_uri=_callback_uri(request)
                )
            except OidcError as exc:
                return _error(request, exc)
    messages.error(request, _("The password is not right."))
    return redirect("accounts:profile")


def _link_intent(request: HttpRequest) -> User | None:
    """Return the signed-in user who asked to link (recently), or None."""
    intent = request.session.pop(_INTENT, None)
    user = request.user
    if (
        isinstance(intent, dict)
        and isinstance(user, User)
        and intent.get("link") == str(user.pk)
        and _now() - float(intent.get("at", 0)) <= _PENDING_TTL
    ):
        return user
    return None


@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """Finish the provider's sign-in: sign in, link, or ask what is missing."""
    config = _config()
    attempt = provider_attempt_begin(request, issuer=config.issuer)
    if not attempt.allowed:
        raise Ratelimited
    try:
        person = _person(request, config)
    except OidcError as exc:
        if not isinstance(exc, OidcStateError):
            signin_attempt_forget(attempt)  # not a forged answer: do not count
        return _error(request, exc)
    signin_attempt_forget(attempt)
    linking = _link_intent(request)
    if linking is not None:
        try:
            oidc_identity_link(actor=linking, user=linking, person=person)
        except AccountError as exc:
            return _error(request, exc)
        request.session[SESSION_ISSUER] = config.issuer
        messages.success(
            request,
            _("Your account is now linked to %(name)s.") % {"name": config.name},
        )
        return redirect("accounts:profile")
    outcome = oidc_signin(person=person)
    if outcome.user is not None:
        if not outcome.user.is_active:
            return _error(request, OidcError(_("This account can no longer sign in.")))
        return _sign_in(request, outcome.user, config.issuer)
    _pending_put(request, person, outcome.holder)
    if outcome.holder is not None:
        return redirect("accounts:oidc_link_existing")
    return redirect("accounts:oidc_complete")


def _person(request: HttpRequest, config: OidcConfig) -> OidcPerson:
    claims = oidc_callback_claims(request, config)
    try:
        return person_from_claims(config, claims)
    except ValueError as exc:
        raise OidcClaimsMissing(
            _("The identity service did not say who you are.")
        ) from exc


def _is_search(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("action") == "search"


@require_http_methods(["GET", "POST"])
def oidc_complete(request: HttpRequest) -> HttpResponse:
    """Create a first sign-in's account once group, commune, consent are given."""
    config = _config()
    pending = _pending(request)
    if pending is None or pending[1]:
        return redirect("accounts:login")
    person = pending[0]
    initial: dict[str, Any] = {
        "full_name": person.full_name,
        "birth_year": person.birth_year,
    }
    form = OidcCompleteForm(request.POST or None, initial=initial)
    if request.method == "POST" and not _is_search(request) and form.is_valid():
        d = form.cleaned_data
        try:
            user = oidc_account_create(
                person=person,
                full_name=d["full_name"],
                birth_year=d.get("birth_year"),
                target_group=d.get("target_group"),
                commune=d.get("commune"),
                consent_given=d["consent"],
            )
        except IntegrityError:
            # A second submit raced the first: sign in to the account it made.
            outcome = oidc_signin(person=person)
            if outcome.user is None:
                return redirect("accounts:login")
            user = outcome.user
        except AccountError as exc:
            return _error(request, exc)
        messages.success(request, _("Welcome! Your account is ready."))
        return _sign_in(request, user, config.issuer)
    if _is_search(request):
        form.errors.clear()
    return render(
        request,
        "accounts/oidc_complete.html",
        {"form": form, "name": config.name},
    )


@require_http_methods(["GET", "POST"])
def oidc_link_existing(request: HttpRequest) -> HttpResponse:
    """Link a first sign-in to the account that holds the same citizen ID."""
    config = _config()
    pending = _pending(request)
    holder = (
        User.objects.filter(pk=pending[1], is_active=True).first()
        if pending and pending[1]
        else None
    )
    if pending is None or holder is None:
        return redirect("accounts:login")
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        checked = authenticate(
            request, username=holder.username, password=form.cleaned_data["password"]
        )
        if signin_refused(request):
            raise Ratelimited
        if checked is not None and checked.pk == holder.pk:
            try:
                oidc_identity_link(actor=holder, user=holder, person=pending[0])
            except AccountError as exc:
                return _error(request, exc)
            messages.success(
                request,
                _("Your account is now linked to %(name)s.") % {"name": config.name},
            )
            return _sign_in(request, holder, config.issuer)
        form.add_error("password", _("The password is not right."))
    return render(
        request,
        "accounts/oidc_link_existing.html",
        {
            "form": form,
            "name": config.name,
            "masked": _mask(holder.username),
        },
    )


def _mask(username: str) -> str:
    """Return a sign-in name with all but its ends hidden (``09•••••678``)."""
    if len(username) <= 5:
        return "•" * len(username)
    return f"{username[:2]}{'•' * (len(username) - 5)}{username[-3:]}"


@login_required
@require_http_methods(["POST"])
def oidc_unlink(request: HttpRequest) -> HttpResponse:
    """Remove the link to the provider after a password check."""
    config = _config()
    user = request.user
    assert isinstance(user, User)
    identity = OidcIdentity.objects.filter(user=user, issuer=config.issuer).first()
    if identity is None:
        return redirect("accounts:profile")
    form = PasswordConfirmForm(request.POST)
    checked = None
    if form.is_valid() and user.has_usable_password():
        checked = authenticate(
            request, username=user.username, password=form.cleaned_data["password"]
        )
        if signin_refused(request):
            raise Ratelimited
    if checked is None or checked.pk != user.pk:
        messages.error(request, _("The password is not right."))
        return redirect("accounts:profile")
    try:
        oidc_identity_unlink(actor=user, identity=identity)
    except AccountError as exc:
        return _error(request, exc)
    request.session.pop(SESSION_ISSUER, None)
    messages.success(request, _("The link was removed."))
    return redirect("accounts:profile")


@require_http_methods(["POST"])
def signout(request: HttpRequest) -> HttpResponse:
    """Sign out here, then at the provider if the sign-in came from it."""
    issuer = request.session.get(SESSION_ISSUER)
    logout(request)
    config = oidc_config()
    if config is not None and issuer == config.issuer:
        url = oidc_logout_url(
            config,
            request,
            post_logout_redirect_uri=request.build_absolute_uri(
                reverse("accounts:oidc_logged_out")
            ),
        )
        if url:
            return redirect(url)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_GET
def oidc_logged_out(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back after its sign-out."""
    config = _config()
    messages.success(
        request,
        _("You are signed out here and at %(name)s.") % {"name": config.name},
    )
    return redirect(settings.LOGOUT_REDIRECT_URL)
