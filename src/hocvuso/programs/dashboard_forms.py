"""The dashboard's filters (period, group, indicator, basis) from the query."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

MONTHS = [(m, str(m)) for m in range(1, 13)]


class DashboardFilterForm(forms.Form):
    """Filters read from GET; every field has a default, so no field is required."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    month = forms.TypedChoiceField(
        label=_("Up to month"), choices=MONTHS, coerce=int, required=False
    )
    group = forms.ChoiceField(label=_("Target group"), required=False)
    indicator = forms.ChoiceField(label=_("Indicator shown over time"), required=False)
    basis = forms.ChoiceField(
        label=_("Figures"),
        required=False,
        choices=[
            ("approved", _("Approved only")),
            ("all", _("All, provisional marked")),
        ],
    )

    def __init__(
        self,
        *args: object,
        years: Sequence[int],
        groups: Sequence[tuple[str, str]],
        indicators: Sequence[tuple[str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.ChoiceField)
        year_field.choices = [(y, str(y)) for y in years]
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.ChoiceField)
        group_field.choices = [
            ("*", _("Everyone and each group")),
            ("", _("Everyone")),
            *groups,
        ]
        ind_field = self.fields["indicator"]
        assert isinstance(ind_field, forms.ChoiceField)
        ind_field.choices = list(indicators)
