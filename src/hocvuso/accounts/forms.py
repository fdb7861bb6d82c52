from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hocvuso.framework.models import TargetGroup
from hocvuso.geo.models import Commune
from hocvuso.geo.selectors import commune_list


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Phone number, e-mail or citizen ID number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _(
            "The sign-in details are not right. Check them and try again."
        ),
        "inactive": _("This account is not active."),
    }


class CommuneField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A commune chosen from search results (so the list stays short)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} — {obj.province.short_name}"


class ProfileFieldsMixin(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    birth_year = forms.IntegerField(
        label=_("Birth year"), required=False, min_value=1900, max_value=2100
    )
    target_group = forms.ModelChoiceField(
        label=_("I am"),
        queryset=TargetGroup.objects.all(),
        required=True,
        empty_label=_("— choose your group —"),
    )
    commune_q = forms.CharField(
        label=_("Search your commune or ward"),
        required=False,
        max_length=100,
        help_text=_("Type the name, with or without accents, e.g. “my an hung”."),
    )
    commune = CommuneField(
        label=_("Commune or ward"),
        queryset=Commune.objects.select_related("province"),
        required=True,
        empty_label=_("— search, then choose —"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune_q"].widget.attrs.update(
            {
                "type": "search",
                "autocomplete": "off",
                "hx-get": reverse("accounts:commune_options"),
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#id_commune",
            }
        )
        q = str(self.data.get("commune_q", "") or "")
        field = self.fields["commune"]
        assert isinstance(field, CommuneField)
        selected = self.data.get("commune") or self.initial.get("commune")
        if q:
            found_q = list(commune_list(q=q)[:50])
            field.widget.choices = [("", field.empty_label)] + [
                (c.pk, field.label_from_instance(c)) for c in found_q
            ]
            if len(found_q) == 1 and not selected and hasattr(self.data, "copy"):
                # One commune matches: choose it (the person can still change it).
                data = self.data.copy()
                data["commune"] = str(found_q[0].pk)
                self.data = data
        elif selected:
            pk = str(getattr(selected, "pk", selected))
            found = Commune.objects.select_related("province").filter(
                pk=int(pk) if pk.isdigit() else -1
            )
            field.widget.choices = [("", field.empty_label)] + [
                (c.pk, field.label_from_instance(c)) for c in found
            ]
        else:
            field.widget.choices = [("", field.empty_label)]


class RegistrationForm(ProfileFieldsMixin):
    identifier = forms.CharField(
        label=_("Mobile phone number or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    national_id = forms.CharField(
        label=_("Citizen ID number (12 digits)"),
        required=False,
        max_length=12,
        help_text=_("Only a protected code and the last 4 digits are kept."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that my data is processed "
            "for learning, assessment and certification."
        ),
        required=True,
    )

    field_order = [
        "full_name",
        "identifier",
        "password",
        "password2",
        "birth_year",
        "target_group",
        "commune_q",
        "commune",
        "national_id",
        "consent",
    ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords do not match."))
        return data


class AssistedRegistrationForm(RegistrationForm):
    guidance_consent = forms.BooleanField(
        label=_(
            "They also agree that I open lessons and tests for them on my phone "
            "until they take over their account (guidance notice)."
        ),
        required=False,
    )

    consent = forms.BooleanField(
        label=_(
            "I read the privacy notice to this person and they agreed to the "
            "processing of their data."
        ),
        required=True,
    )


class ProfileForm(ProfileFieldsMixin):
    pass


class DataRequestForm(forms.Form):
    message = forms.CharField(
        label=_("What is wrong and what should it be?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ClaimCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Claim code on your card"),
        max_length=20,
        help_text=_("10 letters and digits, e.g. ABCD-EFGH-JK."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "code",
            }
        ),
    )


class ClaimAccountForm(forms.Form):
    detail = forms.CharField(label=_("Check"), max_length=4, required=False)
    phone = forms.CharField(
        label=_("Your mobile phone number"),
        max_length=20,
        required=False,
        help_text=_("You sign in with it from now on."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
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

    def __init__(self, *args: Any, check_kind: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["detail"]
        field.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        if check_kind == "national_id_last4":
            field.label = _("The last 4 digits of your citizen ID number")
            field.required = True
        elif check_kind == "birth_year":
            field.label = _("Your birth year")
            field.required = True
        else:
            del self.fields["detail"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords do not match."))
        return data


class GrantForm(forms.Form):
    helper = forms.CharField(
        label=_("The helper's phone number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    consent = forms.BooleanField(
        label=_("The person agrees that this helper opens lessons and tests for them."),
        required=True,
    )


class DeleteAccountConfirmForm(forms.Form):
    """Deletion for an account without a password (it signs in with a provider)."""

    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."), required=True
    )


class OidcCompleteForm(ProfileFieldsMixin):
    """The profile step after a first sign-in with an identity provider."""

    consent = RegistrationForm.base_fields["consent"]

    field_order = [
        "full_name",
        "birth_year",
        "target_group",
        "commune_q",
        "commune",
        "consent",
    ]


class PasswordConfirmForm(forms.Form):
    """A recent password check before linking or unlinking an identity."""

    password = forms.CharField(
        label=_("Your password, to confirm"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
