"""Pages of "Quên mật khẩu": ask for a code, use it, or give one in person."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.exceptions import Ratelimited

from hocvuso.accounts.errors import PermissionDeniedError
from hocvuso.accounts.models import User
from hocvuso.accounts.password_reset import (
    ResetRefused,
    check_address_over_limit,
    learner_for_reset,
    password_reset_confirm,
    request_address_over_limit,
    reset_code_issue_in_person,
    reset_code_send_sms,
)
from hocvuso.accounts.password_reset_forms import ForgotForm, InPersonForm, ResetForm
from hocvuso.accounts.signin_limits import device_trust
from hocvuso.accounts.sms import sms_enabled

_SESSION_PHONE = "password_reset_phone"


@require_http_methods(["GET", "POST"])
def forgot(request: HttpRequest) -> HttpResponse:
    """Ask for a code by SMS; explain the way through a helper or officer."""
    form = ForgotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request_address_over_limit(request):
            raise Ratelimited
        phone = form.cleaned_data["phone"]
        reset_code_send_sms(phone=phone)
        # The same answer whether or not the number has an account.
        request.session[_SESSION_PHONE] = phone[:20]
        messages.success(
            request,
            _(
                "If this number belongs to an account, a text message with a "
                "6-digit code is on its way. Enter it below."
            ),
        )
        return redirect("accounts:password_reset")
    return render(
        request,
        "accounts/password_forgot.html",
        {"form": form, "sms": sms_enabled()},
    )


@require_http_methods(["GET", "POST"])
def reset(request: HttpRequest) -> HttpResponse:
    """Set a new password with a code received by SMS or in person."""
    initial = {"identifier": request.session.get(_SESSION_PHONE, "")}
    form = ResetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if check_address_over_limit(request):
            raise Ratelimited
        d = form.cleaned_data
        try:
            user = password_reset_confirm(
                identifier=d["identifier"], code=d["code"], password=d["password"]
            )
        except ResetRefused as exc:
            form.add_error("code", str(exc))
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("password", message)
        else:
            request.session.pop(_SESSION_PHONE, None)
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            device_trust(request, user)
            messages.success(
                request,
                _("Your new password is saved and you are signed in."),
            )
            return redirect("home")
    return render(request, "accounts/password_reset.html", {"form": form})


@login_required
@permission_required("accounts.assist_registration", raise_exception=True)
@require_http_methods(["GET", "POST"])
def in_person(request: HttpRequest) -> HttpResponse:
    """Let a helper or commune officer give a person a reset code, face to face."""
    actor = request.user
    assert isinstance(actor, User)
    form = InPersonForm(request.POST or None)
    issued = None
    learner = None
    if request.method == "POST" and form.is_valid():
        learner = learner_for_reset(
            actor=actor, identifier=form.cleaned_data["identifier"]
        )
        if learner is None:
            form.add_error(
                "identifier",
                _(
                    "No one you help has this phone number or user name. Only "
                    "their helper or an officer of their commune can give a code."
                ),
            )
        else:
            try:
                issued = reset_code_issue_in_person(actor=actor, learner=learner)
            except PermissionDeniedError as exc:
                form.add_error("identifier", str(exc))
    response = render(
        request,
        "accounts/password_in_person.html",
        {"form": form, "issued": issued, "learner": learner},
    )
    response["Cache-Control"] = "no-store"
    return response
