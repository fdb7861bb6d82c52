"""Dashboard pages: a unit's progress, scoped by role (thin views)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hocvuso.programs.access import unit_for_request
from hocvuso.programs.dashboard_forms import DashboardFilterForm
from hocvuso.programs.dashboards import (
    Filters,
    dashboard_build,
    group_labels,
    indicator_name,
)
from hocvuso.programs.figures import indicators_active
from hocvuso.programs.models import UnitLevel
from hocvuso.programs.nav import home_unit

FIRST_YEAR = 2025


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send an officer to the dashboard of the widest unit they steer."""
    unit = home_unit(request.user)
    if unit is None:
        raise PermissionDenied(_("You do not steer any province or commune."))
    return redirect("programs:dashboard", unit=unit.slug)


@login_required
@require_GET
def dashboard(request: HttpRequest, unit: str) -> HttpResponse:
    """Show a unit's progress vs target; HTMX asks for the body only."""
    ref = unit_for_request(request, unit)
    today = timezone.localdate()
    years = list(range(FIRST_YEAR, today.year + 2))
    inds = indicators_active()
    slugs = sorted({g for i in inds for g in i.target_groups})
    labels = group_labels(slugs)
    form = DashboardFilterForm(
        request.GET,
        years=years,
        groups=[(s, labels[s]) for s in slugs],
        indicators=[(i.code, indicator_name(i)) for i in inds],
    )
    if not form.is_valid():
        response = render(
            request,
            "programs/dashboard.html",
            {"unit": ref, "form": form, "board": None},
            status=400,
        )
        return response
    data = form.cleaned_data
    group = (data.get("group") or "") if "group" in request.GET else "*"
    basis = data.get("basis") or (
        "approved" if ref.level == UnitLevel.NATION else "all"
    )
    filters = Filters(
        year=data.get("year") or today.year,
        month=data.get("month") or today.month,
        group=None if group == "*" else group,
        indicator=data.get("indicator") or "",
        approved_only=basis == "approved",
    )
    board = dashboard_build(ref, filters, indicators=inds, labels=labels)
    initial = {
        "year": filters.year,
        "month": filters.month,
        "group": "*" if filters.group is None else filters.group,
        "indicator": board.indicator.code if board.indicator else "",
        "basis": basis,
    }
    shown = DashboardFilterForm(
        initial=initial,
        years=years,
        groups=board.groups,
        indicators=board.indicators,
    )
    template = (
        "programs/partials/dashboard_body.html"
        if getattr(request, "htmx", False)
        else "programs/dashboard.html"
    )
    query = urlencode({k: v for k, v in initial.items() if v != ""})
    response = render(
        request,
        template,
        {"unit": ref, "form": shown, "board": board, "query": query},
    )
    patch_vary_headers(response, ("HX-Request",))
    return response
