from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hocvuso.assistant.models import AnswerReport
from hocvuso.assistant.services import MAX_QUESTION


class AskForm(forms.Form):
    q = forms.CharField(
        label=_("Your question"),
        min_length=2,
        max_length=MAX_QUESTION,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("For example: how do I activate VNeID level 2?"),
                "autocomplete": "off",
                "enterkeyhint": "send",
            }
        ),
    )


class ReportForm(forms.Form):
    log = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(choices=AnswerReport.Reason.choices)
