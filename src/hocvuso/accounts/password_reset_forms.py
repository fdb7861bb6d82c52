"""Forms of the password reset pages (``password_reset_views.py``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ForgotForm(forms.Form):
    phone = forms.CharField(
        label=_("Your mobile phone number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "autofocus": True}
        ),
    )


class ResetForm(forms.Form):
    identifier = forms.CharField(
        label=_("Phone number or user name you sign in with"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "The 6 digits of the text message, or the code your helper gave you."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )
    password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords do not match."))
        return data


class InPersonForm(forms.Form):
    identifier = forms.CharField(
        label=_("The person's phone number or user name"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    checked = forms.BooleanField(
        label=_(
            "The person is here with me and I checked their identity card "
            "(or I know them in person)."
        ),
        required=True,
    )
