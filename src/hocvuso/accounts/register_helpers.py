"""Small helpers of the registration pages: where to go next, what to keep.

Kept apart from ``views.py`` so the registration fixes of #12 stay in one place.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request: HttpRequest) -> str:
    """Return the safe ``next`` address the page was opened with, or ""."""
    candidate = str(request.POST.get("next") or request.GET.get("next") or "")[:2000]
    if candidate and url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return ""


def keep_typed_passwords(form: forms.BaseForm) -> None:
    """Render the passwords typed so far again (after "Search" reloads the form).

    Django leaves password boxes empty on a re-rendered form; on the commune
    search, which is a step of filling in the same form, not an error, an
    empty password box would be lost work.
    """
    for field in form.fields.values():
        if isinstance(field.widget, forms.PasswordInput):
            field.widget.render_value = True
