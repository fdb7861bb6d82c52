"""Sign-in, registration, profile and "my data" pages."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.exceptions import Ratelimited

from hocvuso.accounts.assisted_forms import (
    HelperRegistrationForm,
    assisted_created_message,
)
from hocvuso.accounts.errors import PermissionDeniedError
from hocvuso.accounts.forms import (
    DataRequestForm,
    DeleteAccountConfirmForm,
    DeleteAccountForm,
    LoginForm,
    PasswordConfirmForm,
    ProfileForm,
    RegistrationForm,
)
from hocvuso.accounts.models import DataRequest, User
from hocvuso.accounts.oidc_config import oidc_config
from hocvuso.accounts.oidc_views import provider_signed_in_recently
from hocvuso.accounts.permissions import user_roles
from hocvuso.accounts.register_helpers import keep_typed_passwords, next_url
from hocvuso.accounts.register_limits import (
    register_attempt_begin,
    register_attempt_created,
)
from hocvuso.accounts.selectors import (
    assisted_learners,
    guidance_grants_for,
    user_data_export,
    user_oidc_identity,
    user_profile_get,
)
from hocvuso.accounts.services import (
    RegistrationData,
    account_anonymise,
    account_register,
    data_request_create,
    profile_update,
)
from hocvuso.accounts.signin_limits import device_trust, signin_refused
from hocvuso.accounts.signin_reasons import signin_reason
from hocvuso.geo.selectors import commune_list


class LoginView(auth_views.LoginView):
    """Sign in; refused for a while after too many failed attempts."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        config = oidc_config()
        context["oidc_label"] = config.button_label if config else ""
        context["signin_reason"] = signin_reason(str(context.get("next") or ""))
        return context

    def form_invalid(self, form: Any) -> HttpResponse:
        # The backend checks and counts; a refusal for the limits gets a 429.
        if signin_refused(self.request):
            raise Ratelimited
        return super().form_invalid(form)


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error("password", message)


def _registration_data(form: RegistrationForm, language: str) -> RegistrationData:
    d = form.cleaned_data
    return RegistrationData(
        full_name=d["full_name"],
        identifier=d["identifier"],
        password=d["password"],
        birth_year=d.get("birth_year"),
        target_group=d.get("target_group"),
        commune=d.get("commune"),
        national_id=(d.get("national_id") or "").strip(),
        language=language,
    )


def _is_search(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("action") == "search"


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Let someone create their own learner account."""
    if request.user.is_authenticated:
        return redirect(next_url(request) or "home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and not _is_search(request):
        # Refused attempts per address are limited, accounts created barely.
        attempt = register_attempt_begin(request)
        if not attempt.allowed:
            raise Ratelimited
        if form.is_valid():
            try:
                user = account_register(
                    actor=None,
                    data=_registration_data(form, request.LANGUAGE_CODE),
                    consent_given=form.cleaned_data["consent"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                register_attempt_created(attempt)
                login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
                device_trust(request, user)
                messages.success(request, _("Welcome! Your account is ready."))
                return redirect(next_url(request) or "home")
    if _is_search(request):
        form.errors.clear()
        keep_typed_passwords(form)
    return render(
        request,
        "accounts/register.html",
        {"form": form, "assisted": False, "next": next_url(request)},
    )


@login_required
@permission_required("accounts.assist_registration", raise_exception=True)
@require_http_methods(["GET", "POST"])
def assist_register(request: HttpRequest) -> HttpResponse:
    """Let a community helper register someone who has no smartphone."""
    assert isinstance(request.user, User)
    form = HelperRegistrationForm(request.POST or None, helper=request.user)
    if request.method == "POST" and not _is_search(request) and form.is_valid():
        try:
            user = account_register(
                actor=request.user,
                data=_registration_data(form, "vi"),
                consent_given=form.cleaned_data["consent"],
                guidance_consent=form.cleaned_data.get("guidance_consent", False),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDeniedError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, assisted_created_message(user))
            if assisted_learners(viewer=request.user).filter(pk=user.pk).exists():
                return redirect("accounts:assisted_detail", user_id=user.pk)
            return redirect("accounts:assist_register")
    if _is_search(request):
        form.errors.clear()
        keep_typed_passwords(form)
    return render(request, "accounts/register.html", {"form": form, "assisted": True})


@require_GET
def commune_options(request: HttpRequest) -> HttpResponse:
    """Return ``<option>``s of communes matching ``q`` (HTMX partial)."""
    q = request.GET.get("commune_q", request.GET.get("q", ""))[:100]
    communes = list(commune_list(q=q)[:50]) if q.strip() else []
    return render(
        request,
        "accounts/partials/commune_options.html",
        {"communes": communes, "q": q},
    )


@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    return render(
        request,
        "accounts/profile.html",
        {
            "profile": user_profile_get(user=request.user),
            "roles": user_roles(request.user),
            "helpers": list(
                guidance_grants_for(learner=request.user).filter(ended_at__isnull=True)
            ),
            "oidc": _oidc_context(request.user),
        },
    )


def _oidc_context(user: User) -> dict[str, Any] | None:
    config = oidc_config()
    if config is None:
        return None
    return {
        "name": config.name,
        "identity": user_oidc_identity(user=user, issuer=config.issuer),
        "can_link": user.has_usable_password(),
        "form": PasswordConfirmForm(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    current = user_profile_get(user=user)
    initial = {
        "full_name": user.full_name,
        "birth_year": current.birth_year if current else None,
        "target_group": current.target_group if current else None,
        "commune": current.commune if current else None,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and not _is_search(request) and form.is_valid():
        d = form.cleaned_data
        try:
            profile_update(
                actor=user,
                user=user,
                full_name=d["full_name"],
                birth_year=d.get("birth_year"),
                target_group=d.get("target_group"),
                commune=d.get("commune"),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:profile")
    if _is_search(request):
        form.errors.clear()
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    """Show what is held, offer the download, correction and deletion."""
    user = request.user
    assert isinstance(user, User)
    correction = DataRequestForm(
        request.POST if request.POST.get("form") == "correction" else None
    )
    delete_form = (
        DeleteAccountForm if user.has_usable_password() else DeleteAccountConfirmForm
    )
    delete = delete_form(request.POST if request.POST.get("form") == "delete" else None)
    if correction.is_bound and correction.is_valid():
        data_request_create(
            actor=user,
            kind=DataRequest.Kind.CORRECTION,
            message=correction.cleaned_data["message"],
        )
        messages.success(
            request, _("Your request was recorded. An officer will answer it.")
        )
        return redirect("accounts:my_data")
    if delete.is_bound and delete.is_valid():
        if isinstance(delete, DeleteAccountConfirmForm):
            confirmed = provider_signed_in_recently(request)
        else:
            confirmed = user.check_password(delete.cleaned_data["password"])
        if confirmed:
            account_anonymise(actor=user, user=user)
            logout(request)
            messages.success(
                request, _("Your personal data was deleted and you were signed out.")
            )
            return redirect("home")
        if isinstance(delete, DeleteAccountConfirmForm):
            delete.add_error(
                "confirm",
                _(
                    "To confirm it is you, sign out, sign in again with the "
                    "identity service, then delete within 15 minutes."
                ),
            )
        else:
            delete.add_error("password", _("The password is not right."))
    return render(
        request,
        "accounts/my_data.html",
        {
            "data": user_data_export(user=user),
            "correction_form": correction,
            "delete_form": delete,
            "requests": user.data_requests.all()[:20],
        },
    )


@login_required
@require_GET
def my_data_download(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    payload = json.dumps(
        user_data_export(user=request.user), ensure_ascii=False, indent=2
    )
    response = HttpResponse(payload, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hocvuso-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    lang = "en" if request.LANGUAGE_CODE.startswith("en") else "vi"
    return render(request, f"accounts/privacy_{lang}.html")
