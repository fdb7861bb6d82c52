"""The page where a person makes and revokes their API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.accounts.api_tokens import (
    api_token_create,
    api_token_revoke,
    api_tokens_of,
)
from hocvuso.accounts.errors import AccountError
from hocvuso.accounts.models import User
from hocvuso.accounts.token_models import TokenScope


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name (what uses it)"),
        max_length=80,
        help_text=gettext_lazy("For example “visit-sync app on Lan's phone”."),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("It may"),
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[TokenScope.READ],
    )
    days = forms.TypedChoiceField(
        label=gettext_lazy("Valid for"),
        coerce=int,
        choices=[
            (30, gettext_lazy("30 days")),
            (90, gettext_lazy("90 days")),
            (365, gettext_lazy("1 year")),
        ],
        initial=90,
    )


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List my tokens; make one (its secret is shown once, on this answer)."""
    form = ApiTokenForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = api_token_create(
                actor=_me(request),
                name=form.cleaned_data["name"],
                scopes=list(form.cleaned_data["scopes"]),
                days=form.cleaned_data["days"],
            )
        except AccountError as exc:
            form.add_error(None, exc.message)
        else:
            form = ApiTokenForm()
    response = render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": [
                (t, [str(TokenScope(s).label) for s in t.scopes])
                for t in api_tokens_of(user=_me(request))
            ],
        },
        status=400 if request.method == "POST" and not secret else 200,
    )
    response["Cache-Control"] = "no-store"  # the secret must not be cached
    return response


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: str) -> HttpResponse:
    try:
        token = api_token_revoke(actor=_me(request), token_id=token_id)
    except AccountError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:api_tokens")
