"""Forms of the community pages (teams, invitations, cards, visits)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from hocvuso.community.models import (
    MAX_PEOPLE_PER_VISIT,
    Activity,
    MemberRole,
    TeamKind,
)
from hocvuso.community.photos import MAX_PHOTO_BYTES


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind of team"), choices=TeamKind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea({"rows": 3})
    )


class InvitationForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Joins as"),
        choices=[
            (MemberRole.MEMBER, MemberRole.MEMBER.label),
            (MemberRole.AMBASSADOR, MemberRole.AMBASSADOR.label),
        ],
    )
    max_uses = forms.IntegerField(
        label=_("How many people can use it"),
        min_value=1,
        max_value=500,
        initial=1,
        help_text=_("1 = a single person. More = one code for a whole group."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=90, initial=7
    )


class JoinForm(forms.Form):
    code = forms.CharField(label=_("Invitation code"), max_length=20)


class CardForm(forms.Form):
    display_name = forms.CharField(
        label=_("Name people will see"),
        max_length=80,
        help_text=_(
            "For example “Chị Lan – Đoàn thanh niên”. It need not be your full name."
        ),
    )
    helps_with = forms.MultipleChoiceField(
        label=_("I can help with"),
        choices=Activity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    helps_other = forms.CharField(label=_("Other help"), max_length=200, required=False)
    where_when = forms.CharField(
        label=_("When and where to find me"),
        max_length=200,
        required=False,
        help_text=_(
            "For example “Tuesday evenings at the cultural house of hamlet 3”."
        ),
    )
    contact = forms.CharField(
        label=_("Contact to show"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to show no contact. Anything here is public."),
    )
    published = forms.BooleanField(
        label=_("Show my card on the commune's page"), required=False, initial=True
    )


PEOPLE_RANGE = format_lazy(
    _("The number of people helped is from 1 to {n}."), n=MAX_PEOPLE_PER_VISIT
)


class VisitForm(forms.Form):
    """The visit log; the page's script sends the same fields as JSON."""

    id = forms.UUIDField(widget=forms.HiddenInput)
    team = forms.ChoiceField(label=_("Team"))
    hamlet = forms.CharField(
        label=_("Hamlet or residential group"),
        max_length=100,
        widget=forms.TextInput({"list": "hamlets", "autocomplete": "off"}),
    )
    people_helped = forms.IntegerField(
        label=_("Number of people helped"),
        min_value=1,
        max_value=MAX_PEOPLE_PER_VISIT,
        initial=1,
        widget=forms.NumberInput({"inputmode": "numeric"}),
        error_messages={
            "min_value": PEOPLE_RANGE,
            "max_value": PEOPLE_RANGE,
            "invalid": PEOPLE_RANGE,
        },
    )
    activities = forms.MultipleChoiceField(
        label=_("What was done"),
        choices=Activity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    followup_what = forms.CharField(
        label=_("Follow-up needed"), max_length=200, required=False
    )
    followup_due = forms.DateField(
        label=_("Follow-up by"),
        required=False,
        widget=forms.DateInput({"type": "date"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Do not write names, ID numbers or phone numbers."),
    )
    photo = forms.ImageField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(
            {"accept": "image/*", "capture": "environment"}
        ),
        help_text=_("At most 10 MB. It is made smaller on the server."),
        error_messages={
            "invalid_image": _(
                "This file is not a photo we can read (use JPEG or PNG)."
            )
        },
    )
    keep_location = forms.BooleanField(
        label=_("Keep the photo's location (GPS)"), required=False
    )

    def __init__(self, *args: Any, teams: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ChoiceField)
        team_field.choices = teams
        if not self.is_bound:
            self.initial.setdefault("id", uuid.uuid4())

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(
                _("The photo is too large (at most %(mb)d MB). Take a smaller one."),
                params={"mb": MAX_PHOTO_BYTES // (1024 * 1024)},
            )
        return photo
