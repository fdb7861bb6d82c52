"""Pages of targets, populations, manual values and approval (thin views).

Every page names a unit in its URL and starts with ``unit_for_request``
(404 unknown, 403 outside the officer's units); services decide the rest.
Forms post back to the same page and work without JavaScript; the import
form also swaps its result in place with HTMX.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.programs import approval as approval_services
from hocvuso.programs.access import (
    UnitRef,
    unit_allowed,
    unit_for_request,
    unit_name,
    units_for_user,
)
from hocvuso.programs.imports import (
    KINDS,
    UNIT_KEY,
    Format,
    Kind,
    import_file,
    template_build,
    template_columns,
    template_units,
)
from hocvuso.programs.manual import (
    Evidence,
    evidence_content_type,
    manual_indicators,
    manual_value_set,
    manual_value_unit,
    manual_values,
)
from hocvuso.programs.models import ALL_GROUPS, ApprovalState, ManualValue, UnitLevel
from hocvuso.programs.target_errors import (
    ImportRejected,
    SteerError,
    SteerInvalid,
    SteerNotAllowed,
)
from hocvuso.programs.targets import (
    YEAR_MAX,
    YEAR_MIN,
    group_labels,
    indicator_label,
    population_form_save,
    population_rows,
    target_may_set,
    target_rows,
    targets_form_save,
)

V = TypeVar("V", bound=Callable[..., HttpResponse])


def steer_errors(view: V) -> V:
    """Turn "not allowed" from services into 403 (others are shown on the page)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except SteerNotAllowed as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper  # type: ignore[return-value]


def _int(request: HttpRequest, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.POST.get(name) or request.GET.get(name) or ""
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if lo <= value <= hi else default


def _year(request: HttpRequest) -> int:
    return _int(request, "year", timezone.localdate().year, YEAR_MIN, YEAR_MAX)


def _month(request: HttpRequest) -> int:
    return _int(request, "month", timezone.localdate().month, 1, 12)


def _url(name: str, **kwargs: object) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _nav(unit: UnitRef, current: str) -> list[dict[str, object]]:
    """Return the links between the steering pages (names others may not have yet)."""
    items = [
        ("programs:dashboard", _("Dashboard"), {"unit": unit.slug}),
        ("programs:targets_unit", _("Targets"), {"unit": unit.slug}),
        ("programs:population_unit", _("Population"), {"unit": unit.slug}),
        ("programs:manual", _("Manual values"), {"unit": unit.slug}),
        ("programs:approval_unit", _("Approval"), {"unit": unit.slug}),
    ]
    out: list[dict[str, object]] = []
    for name, label, kwargs in items:
        href = _url(name, **kwargs)
        if href is not None:
            out.append({"href": href, "label": label, "current": name == current})
    return out


def _subnav() -> str | None:
    try:
        return select_template(["programs/partials/subnav.html"]).template.name
    except TemplateDoesNotExist:
        return None


def _context(request: HttpRequest, unit: UnitRef, current: str) -> dict[str, Any]:
    return {
        "unit": unit,
        "unit_name": unit_name(unit),
        "steer_nav": _nav(unit, current),
        "subnav": _subnav(),
        "year": _year(request),
        "years": list(
            range(timezone.localdate().year - 1, timezone.localdate().year + 3)
        ),
    }


def _home(request: HttpRequest, name: str) -> HttpResponse:
    units = units_for_user(request.user)
    if not units:
        raise PermissionDenied(_("You do not steer any unit."))
    return redirect(name, unit=units[0].slug)


@login_required
def targets_home(request: HttpRequest) -> HttpResponse:
    return _home(request, "programs:targets_unit")


@login_required
def population_home(request: HttpRequest) -> HttpResponse:
    return _home(request, "programs:population_unit")


@login_required
def manual_home(request: HttpRequest) -> HttpResponse:
    return _home(request, "programs:manual")


@login_required
def approval_home(request: HttpRequest) -> HttpResponse:
    return _home(request, "programs:approval_unit")


def _children(unit: UnitRef) -> list[tuple[UnitRef, str]]:
    from hocvuso.geo.models import Commune, Province

    if unit.level == UnitLevel.PROVINCE:
        return [
            (UnitRef(UnitLevel.COMMUNE, unit.province_code, code), name)
            for code, name in Commune.objects.filter(province_id=unit.province_code)
            .order_by("code")
            .values_list("code", "name")
        ]
    if unit.level == UnitLevel.NATION:
        return [
            (UnitRef.province(code), name)
            for code, name in Province.objects.values_list("code", "name")
        ]
    return []


@login_required
@steer_errors
@require_http_methods(["GET", "POST"])
def targets_unit(request: HttpRequest, unit: str) -> HttpResponse:
    """A unit's targets of a year, editable by those who may set them."""
    ref = unit_for_request(request, unit)
    ctx = _context(request, ref, "programs:targets_unit")
    year = ctx["year"]
    may_set = target_may_set(request.user, ref)
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied(_("You may not set the targets of this unit."))
        typed = {
            k[2:]: request.POST.get(k, "")
            for k in request.POST
            if k.startswith("t-") and len(k) > 2
        }
        saved = targets_form_save(actor=request.user, unit=ref, year=year, values=typed)
        if saved.errors is None:
            messages.success(
                request,
                _("Targets saved (%(n)d changed).") % {"n": saved.changed},
            )
            return redirect(f"{request.path}?year={year}")
        errors = saved.errors
    rows = target_rows(unit=ref, year=year)
    ctx.update(
        {
            "rows": [
                {
                    "row": r,
                    "field": f"t-{r.key}",
                    "typed": typed.get(r.key, ""),
                    "error": errors.get(r.key, ""),
                }
                for r in rows
            ],
            "has_children": ref.level != UnitLevel.COMMUNE,
            "disagreements": sum(1 for r in rows if r.disagrees),
            "may_set": may_set,
            "errors": errors,
            "children": _children(ref),
            "kind": "targets",
        }
    )
    return render(request, "programs/steer/targets.html", ctx)


@login_required
@steer_errors
@require_http_methods(["GET", "POST"])
def population_unit(request: HttpRequest, unit: str) -> HttpResponse:
    """A unit's population per group (the denominators of percentages)."""
    ref = unit_for_request(request, unit)
    ctx = _context(request, ref, "programs:population_unit")
    year = ctx["year"]
    may_set = target_may_set(request.user, ref)
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied(_("You may not set the targets of this unit."))
        typed = {
            k[2:]: request.POST.get(k, "")
            for k in request.POST
            if k.startswith("p-") and len(k) > 2
        }
        saved = population_form_save(
            actor=request.user, unit=ref, year=year, values=typed
        )
        if saved.errors is None:
            messages.success(
                request,
                _("Population saved (%(n)d changed).") % {"n": saved.changed},
            )
            return redirect(f"{request.path}?year={year}")
        errors = saved.errors
    ctx.update(
        {
            "rows": [
                {
                    "row": r,
                    "key": r.group or "total",
                    "field": f"p-{r.group or 'total'}",
                    "typed": typed.get(r.group or "total", ""),
                    "error": errors.get(r.group or "total", ""),
                }
                for r in population_rows(unit=ref, year=year)
            ],
            "has_children": ref.level != UnitLevel.COMMUNE,
            "may_set": may_set,
            "errors": errors,
            "children": _children(ref),
            "kind": "population",
        }
    )
    return render(request, "programs/steer/population.html", ctx)


def _kind(request: HttpRequest) -> Kind:
    raw = request.POST.get("kind") or request.GET.get("kind") or "targets"
    return "population" if raw == "population" else "targets"


@login_required
@steer_errors
def template_download(request: HttpRequest, unit: str) -> HttpResponse:
    """Download the unit's Excel or CSV template (one row per commune)."""
    ref = unit_for_request(request, unit)
    fmt: Format = "csv" if request.GET.get("format") == "csv" else "xlsx"
    t = template_build(
        actor=request.user, unit=ref, year=_year(request), kind=_kind(request), fmt=fmt
    )
    response = HttpResponse(t.content, content_type=t.content_type)
    response["Content-Disposition"] = f'attachment; filename="{t.filename}"'
    return response


@login_required
@steer_errors
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest, unit: str) -> HttpResponse:
    """Upload a filled template; show what changed, or every error by cell."""
    ref = unit_for_request(request, unit)
    kind = _kind(request)
    current = (
        "programs:targets_unit" if kind == "targets" else "programs:population_unit"
    )
    ctx = _context(request, ref, current)
    template_units(request.user, ref)  # 403 when the officer may set none of them
    ctx.update({"kind": kind, "kinds": KINDS, "report": None, "rejected": None})
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise SteerInvalid(_("Choose the filled file to upload."))
            ctx["report"] = import_file(
                actor=request.user,
                unit=ref,
                year=ctx["year"],
                kind=kind,
                data=upload.read(),
            )
        except ImportRejected as exc:
            labels = {
                c.key: c.label
                for c in template_columns(kind, {UnitLevel.PROVINCE, UnitLevel.COMMUNE})
            }
            labels[UNIT_KEY] = _("Unit code")
            ctx["rejected"] = exc
            ctx["cell_errors"] = [
                {
                    "error": e,
                    "column": f"{labels[e.header]} ({e.header})"
                    if e.header in labels
                    else e.header,
                }
                for e in exc.errors
            ]
            status = 422
        except SteerNotAllowed:
            raise
        except SteerError as exc:
            ctx["failure"] = exc.message
            status = 422
    if request.headers.get("HX-Request"):
        status = 200  # htmx swaps only successful answers; the table says it all
    return render(request, "programs/steer/import.html", ctx, status=status)


@login_required
@steer_errors
@require_http_methods(["GET", "POST"])
def manual_unit(request: HttpRequest, unit: str) -> HttpResponse:
    """A unit's manual values of a month, with their evidence."""
    ref = unit_for_request(request, unit)
    if ref.level == UnitLevel.NATION:
        raise Http404(_("Manual values are entered by a commune or a province."))
    ctx = _context(request, ref, "programs:manual")
    year, month = ctx["year"], _month(request)
    inds = manual_indicators(ref.level)
    labels = group_labels()
    choices = [
        (
            f"{ind.code}:{grp}" if grp else ind.code,
            indicator_label(ind) + (f" — {labels.get(grp, grp)}" if grp else ""),
        )
        for ind in inds
        for grp in [ALL_GROUPS, *ind.target_groups]
    ]
    failure = ""
    status = 200
    if request.method == "POST":
        code, _sep, grp = (request.POST.get("indicator") or "").partition(":")
        upload = request.FILES.get("evidence")
        try:
            manual_value_set(
                actor=request.user,
                unit=ref,
                year=year,
                month=month,
                indicator=code,
                group=grp,
                value=request.POST.get("value", ""),
                note=request.POST.get("note", ""),
                evidence=(
                    Evidence(upload.name or "", upload.read()) if upload else None
                ),
            )
        except SteerNotAllowed:
            raise
        except SteerError as exc:
            failure = exc.message
            status = 422 if exc.status == 422 else exc.status
        else:
            messages.success(request, _("The value is saved."))
            return redirect(f"{request.path}?year={year}&month={month}")
    locked = approval_services.month_locked(unit=ref, year=year, month=month)
    ctx.update(
        {
            "month": month,
            "months": range(1, 13),
            "show_month": True,
            "choices": choices,
            "values": [
                {
                    "row": v,
                    "label": dict(choices).get(
                        f"{v.indicator}:{v.group}" if v.group else v.indicator,
                        v.indicator,
                    ),
                }
                for v in manual_values(unit=ref, year=year, month=month)
            ],
            "locked": locked,
            "failure": failure,
            "posted": request.POST if failure else None,
        }
    )
    return render(request, "programs/steer/manual.html", ctx, status=status)


@login_required
def manual_evidence(request: HttpRequest, pk: UUID) -> FileResponse:
    """Send a manual value's evidence file to an officer of its unit."""
    row = get_object_or_404(ManualValue, pk=pk)
    if not unit_allowed(request.user, manual_value_unit(row)):
        raise PermissionDenied(_("You do not steer this unit."))
    name = row.evidence_file.name or ""
    if not name or not default_storage.exists(name):
        raise Http404(_("This value has no evidence file."))
    return FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=f"minh-chung-{row.indicator}-{row.year}-{row.month:02d}"
        + name[name.rfind(".") :],
        content_type=evidence_content_type(name),
    )


_STATE_LABELS = {
    ApprovalState.OPEN.value: gettext_lazy("Not submitted"),
    ApprovalState.SUBMITTED.value: gettext_lazy("Submitted, waiting for approval"),
    ApprovalState.APPROVED.value: gettext_lazy("Approved"),
    ApprovalState.RETURNED.value: gettext_lazy("Returned for correction"),
}


@login_required
@steer_errors
def approval_unit(request: HttpRequest, unit: str) -> HttpResponse:
    """A commune's months and their state, or a province's queue of communes."""
    ref = unit_for_request(request, unit)
    ctx = _context(request, ref, "programs:approval_unit")
    year, month = ctx["year"], _month(request)
    today = timezone.localdate()
    ctx.update(
        {
            "month": month,
            "months": range(1, 13),
            "show_month": ref.level == UnitLevel.PROVINCE,
        }
    )
    if ref.level == UnitLevel.COMMUNE:
        history = {
            a.month: a for a in approval_services.approval_history(unit=ref, year=year)
        }
        last = 12 if year < today.year else (today.month if year == today.year else 0)
        own = ref in units_for_user(request.user)  # those above do not submit
        months = []
        for m in range(last, 0, -1):  # the latest month first
            state = history[m].state if m in history else ApprovalState.OPEN
            months.append(
                {
                    "month": m,
                    "state": state,
                    "label": _STATE_LABELS[state],
                    "comment": history[m].comment if m in history else "",
                    "can_submit": own
                    and state in (ApprovalState.OPEN, ApprovalState.RETURNED),
                }
            )
        ctx["commune_months"] = months
    elif ref.level == UnitLevel.PROVINCE:
        queue = approval_services.approval_queue(unit=ref, year=year, month=month)

        def items(rows: list[approval_services.QueueRow]) -> list[dict[str, object]]:
            return [
                {"row": q, "label": _STATE_LABELS.get(q.state, q.state)} for q in rows
            ]

        ctx["queue"] = items([q for q in queue if q.state == ApprovalState.SUBMITTED])
        ctx["others"] = items([q for q in queue if q.state != ApprovalState.SUBMITTED])
        ctx["counts"] = [
            (label, sum(1 for q in queue if q.state == state))
            for state, label in _STATE_LABELS.items()
        ]
        ctx["can_decide"] = unit_allowed(request.user, ref)
    else:
        ctx["children"] = _children(ref)
    return render(request, "programs/steer/approval.html", ctx)


@login_required
@steer_errors
@require_POST
def approval_act(request: HttpRequest, unit: str) -> HttpResponse:
    """Take one approval step for a commune's month, then go back to the list."""
    ref = unit_for_request(request, unit)
    year, month = _year(request), _month(request)
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "")
    back = request.POST.get("back", "")
    if back not in ("commune", "province"):
        back = "commune"
    try:
        if action == "submit":
            approval_services.approval_submit(
                actor=request.user, unit=ref, year=year, month=month
            )
        elif action in approval_services.DECISIONS:
            approval_services.DECISIONS[action](
                actor=request.user, unit=ref, year=year, month=month, comment=comment
            )
        else:
            raise Http404
    except SteerNotAllowed:
        raise
    except SteerError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Done: the month is now “%(state)s”.")
            % {
                "state": _STATE_LABELS.get(
                    approval_services.approval_state(unit=ref, year=year, month=month),
                    "",
                )
            },
        )
    target = ref if back == "commune" else ref.parent or ref
    return redirect(
        f"{reverse('programs:approval_unit', kwargs={'unit': target.slug})}"
        f"?year={year}&month={month}"
    )
