from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class StartForm(forms.Form):
    supervision_code = forms.CharField(
        label=_("Supervision code (only at a service point)"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class AnswerForm(forms.Form):
    """One question: the options as radio buttons (large touch targets)."""

    attempt_id = forms.UUIDField(widget=forms.HiddenInput)
    item_id = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, options: list[dict[str, str]], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["option"] = forms.ChoiceField(
            label=_("Your answer"),
            choices=[(o["id"], o["text"]) for o in options],
            widget=forms.RadioSelect,
            error_messages={"required": _("Choose one answer.")},
        )


class SupervisionForm(forms.Form):
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    minutes = forms.IntegerField(
        label=_("Open for (minutes)"), min_value=15, max_value=720, initial=240
    )
