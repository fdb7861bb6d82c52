"""Forms of the event pages (the services do the checking that matters)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.community.events import EventData
from hocvuso.community.models import EventKind, Team
from hocvuso.framework.models import TargetGroup
from hocvuso.geo.models import Commune, Province

_LOCAL = "%Y-%m-%dT%H:%M"


def _only_choice(field: forms.ModelChoiceField[Any]) -> None:
    """Preselect the commune of an officer who has only one."""
    if field.queryset is not None and field.queryset.count() == 1:
        field.empty_label = None


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=_LOCAL)


class EventForm(forms.Form):
    commune = forms.ModelChoiceField(
        queryset=Commune.objects.none(), label=_("Commune or ward")
    )
    kind = forms.ChoiceField(choices=EventKind.choices, label=_("Kind of event"))
    title = forms.CharField(max_length=200, label=_("Name of the event"))
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label=_("What people will learn"),
    )
    venue = forms.CharField(max_length=300, label=_("Place"))
    starts_at = forms.DateTimeField(
        widget=LocalDateTimeInput(), input_formats=[_LOCAL], label=_("Starts at")
    )
    ends_at = forms.DateTimeField(
        widget=LocalDateTimeInput(), input_formats=[_LOCAL], label=_("Ends at")
    )
    capacity = forms.IntegerField(label=_("Number of places"))
    target_group = forms.ModelChoiceField(
        queryset=TargetGroup.objects.all(),
        required=False,
        label=_("For whom"),
        empty_label=_("Everyone"),
    )
    organiser_team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label=_("Organising team"),
        empty_label=_("No team"),
    )

    def __init__(
        self,
        *args: Any,
        communes: Any,
        teams: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        commune_field = self.fields["commune"]
        assert isinstance(commune_field, forms.ModelChoiceField)
        commune_field.queryset = communes
        _only_choice(commune_field)
        team_field = self.fields["organiser_team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = teams

    def event_data(self) -> EventData:
        d = self.cleaned_data
        return EventData(
            kind=d["kind"],
            title=d["title"],
            description=d.get("description") or "",
            venue=d["venue"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            capacity=d["capacity"],
            target_group=d.get("target_group"),
            organiser_team=d.get("organiser_team"),
        )


class CancelForm(forms.Form):
    notice = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label=_("Notice to the people registered"),
        help_text=_("Why the event is cancelled and what happens next."),
    )


class FestivalForm(forms.Form):
    commune = forms.ModelChoiceField(
        queryset=Commune.objects.none(), label=_("Commune or ward")
    )
    year = forms.IntegerField(label=_("Year"), min_value=2025, max_value=2100)

    def __init__(self, *args: Any, communes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["commune"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = communes
        _only_choice(field)
        self.fields["year"].initial = timezone.localdate().year


class EventFilterForm(forms.Form):
    province = forms.ModelChoiceField(
        queryset=Province.objects.order_by("name"),
        required=False,
        label=_("Province or city"),
        empty_label=_("All"),
        to_field_name="code",
    )
    commune = forms.ModelChoiceField(
        queryset=Commune.objects.none(),
        required=False,
        label=_("Commune or ward"),
        empty_label=_("All"),
        to_field_name="code",
    )
    kind = forms.ChoiceField(
        choices=[("", _("All")), *EventKind.choices],
        required=False,
        label=_("Kind of event"),
    )
    day_from = forms.DateField(
        required=False,
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    day_to = forms.DateField(
        required=False,
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.data.get("province") if self.is_bound else None
        field = self.fields["commune"]
        assert isinstance(field, forms.ModelChoiceField)
        if code and str(code).isdigit():
            field.queryset = (
                Commune.objects.filter(province_id=int(code))
                .select_related("province")
                .order_by("name")
            )
        else:
            # A commune code alone (a shared link) still filters.
            field.queryset = Commune.objects.select_related("province")
            field.widget = forms.HiddenInput()


class ScanForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label=_("Learner's attendance code"),
        help_text=_("8 letters and digits, as on the learner's card."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters"}
        ),
    )
    scanned = forms.BooleanField(required=False, widget=forms.HiddenInput())
