"""The form a helper fills in to register someone, worded for the helper.

The self-registration form speaks as the person ("I am", "Where do you
live?"); here the helper types for someone else, who may have neither a phone
nor an e-mail: both the identifier and the password may stay empty, and the
person then signs in through the helper (guidance) or with the claim code on
their printed card (``accounts/claims.py``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts.forms import AssistedRegistrationForm
from hocvuso.accounts.models import Role, User
from hocvuso.accounts.permissions import user_roles
from hocvuso.geo.models import Commune

HELPER_ROLES = (Role.COMMUNITY_HELPER, Role.COMMUNE_OFFICER)


def helper_commune(helper: User) -> Commune | None:
    """Return the commune the helper works in (their first helper/officer role)."""
    for assignment in user_roles(helper):
        if assignment.role in HELPER_ROLES and assignment.commune_id:
            return Commune.objects.select_related("province").get(
                pk=assignment.commune_id
            )
    return None


class HelperRegistrationForm(AssistedRegistrationForm):
    """Register someone: labels address the helper, contact details optional."""

    LABELS = {
        "full_name": _("The person's full name"),
        "identifier": _("Their mobile phone number or e-mail"),
        "password": _("A password for them"),
        "password2": _("The password again"),
        "birth_year": _("Their birth year"),
        "target_group": _("Their group"),
        "commune_q": _("Search their commune or ward"),
        "commune": _("Their commune or ward"),
        "national_id": _("Their citizen ID number (12 digits)"),
    }

    def __init__(self, *args: Any, helper: User | None = None, **kwargs: Any) -> None:
        commune = helper_commune(helper) if helper is not None else None
        if commune is not None:
            kwargs.setdefault("initial", {})
            kwargs["initial"].setdefault("commune", commune.pk)
        super().__init__(*args, **kwargs)
        for name, label in self.LABELS.items():
            self.fields[name].label = label
        group = self.fields["target_group"]
        assert isinstance(group, forms.ModelChoiceField)
        group.empty_label = _("— choose their group —")
        self.fields["identifier"].required = False
        self.fields["identifier"].help_text = _(
            "Leave empty if they have neither: they then learn with you, and the "
            "card you print for them lets them take over the account later."
        )
        self.fields["password"].required = False
        self.fields["password2"].required = False
        self.fields["password"].help_text = _(
            "Only with a phone number or e-mail. At least 8 characters, not only "
            "digits; tell it to them."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        identifier = (data.get("identifier") or "").strip()
        if identifier and not data.get("password"):
            self.add_error(
                "password",
                _("Give a password for them to sign in with this phone or e-mail."),
            )
        if not identifier and data.get("password"):
            self.add_error(
                "identifier",
                _("A password needs a phone number or e-mail to sign in with."),
            )
        if not identifier and not data.get("guidance_consent"):
            # Without a phone or e-mail the helper is their only way in, until
            # the card's claim code (which the guidance lets the helper print).
            self.add_error(
                "guidance_consent",
                _(
                    "Without a phone or e-mail the person learns with you: they "
                    "must agree to your guidance."
                ),
            )
        return data


def assisted_created_message(user: User) -> str:
    """Return what the helper is told once the account exists: how it signs in."""
    if user.has_usable_password():
        return _("Account created for %(name)s. They sign in with %(login)s.") % {
            "name": user.full_name,
            "login": user.username,
        }
    return _(
        "Account created for %(name)s. Without a phone or e-mail they learn "
        "with you (Guide), and the card you print here lets them take over the "
        "account later."
    ) % {"name": user.full_name}
