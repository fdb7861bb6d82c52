"""Filters that write a figure's numbers the way the dashboards show them."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from hocvuso.programs.figures import Figure
from hocvuso.programs.models import ApprovalState

register = template.Library()


def _number(value: float | None, percentage: bool) -> str:
    if value is None:
        return "—"
    if percentage:
        return f"{number_format(round(value, 1), 1)}\u00a0%"  # no break before %
    if float(value).is_integer():
        return number_format(int(value), 0, force_grouping=True)
    return number_format(round(value, 1), 1, force_grouping=True)


@register.filter
def fig_value(fig: Figure, percentage: bool = False) -> str:
    """Return the value (a percentage needs a denominator: then the count)."""
    if fig.needs_denominator:
        return _number(fig.numerator, False)
    return _number(fig.value, percentage)


@register.filter
def fig_target(fig: Figure, percentage: bool = False) -> str:
    return _number(fig.target, percentage)


@register.filter
def fig_children_target(fig: Figure, percentage: bool = False) -> str:
    return _number(fig.children_target, percentage)


@register.filter
def fig_expected(fig: Figure, percentage: bool = False) -> str:
    return _number(fig.expected, percentage)


@register.filter
def fig_pace(fig: Figure) -> str:
    """Return whether the unit is on the path to its target, in words."""
    if fig.target is None:
        return _("No target")
    if fig.needs_denominator or fig.value is None:
        return "—"
    return _("Behind schedule") if fig.lagging else _("On track")


@register.filter
def fig_state(fig: Figure) -> str:
    """Return the approval state in words (provisional ones marked)."""
    if fig.approval == ApprovalState.APPROVED:
        return _("Approved")
    if fig.total_units > 1:
        return _("Provisional (%(approved)s of %(total)s communes approved)") % {
            "approved": fig.approved_units,
            "total": fig.total_units,
        }
    if fig.approval == ApprovalState.SUBMITTED:
        return _("Provisional (submitted)")
    if fig.approval == ApprovalState.RETURNED:
        return _("Provisional (returned)")
    return _("Provisional")
