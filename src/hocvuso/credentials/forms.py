from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the reason.")},
    )


class ReissueForm(ReasonForm):
    name = forms.CharField(
        label=_("Name to print on the certificate"),
        max_length=150,
        error_messages={"required": _("Write the name to print on the certificate.")},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Keep")), ("vi", "Tiếng Việt"), ("en", "English")],
        required=False,
    )
