"""Field-test calibration: new items estimated on the bank's scale, then promoted.

``hocvuso assessment calibrate`` takes the sittings that answered at least one
field-test item, holds every operational item at its current parameters
(anchors: fixed-parameter calibration, the population mean and SD estimated),
and estimates the field-test items by MML-EM (2PL). For each field-test item
it reports the parameter standard errors, the S-X² item fit with its p-value
and the classical statistics, and decides whether the item is **ready** to
become operational. With ``--promote`` ready items join the operational bank
(audited); the others stay field-test items, with their new estimates.

An item is ready when all of these hold (the constants below): at least
``min_responses`` answers, S-X² p >= 0.01, 0.3 <= a <= 4, |b| <= 4, SE(b)
<= 0.5 and a corrected point-biserial >= 0.15.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

import numpy as np
from django.db import transaction
from django.utils import timezone

from hocvuso.accounts.models import User
from hocvuso.assessment.calibration import item_ref
from hocvuso.assessment.models import Item, Response
from hocvuso.core.services import audit_record
from hocvuso.psychometrics import calibrate, item_analysis
from hocvuso.psychometrics.itemfit import item_fit

MIN_FIT_P = 0.01
A_RANGE = (0.3, 4.0)
MAX_ABS_B = 4.0
MAX_SE_B = 0.5
MIN_POINT_BISERIAL = 0.15


@dataclass(frozen=True)
class FieldTestItem:
    item_id: str
    n: int
    a: float
    b: float
    se_a: float | None
    se_b: float | None
    sx2: float | None
    sx2_df: int | None
    sx2_p: float | None
    p_value: float | None
    point_biserial: float | None
    flags: list[str]
    ready: bool
    promoted: bool = False


@dataclass(frozen=True)
class FieldTestCalibration:
    persons: int
    anchors: int
    converged: bool
    population_mean: float
    population_sd: float
    items: list[FieldTestItem] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _flags(it: FieldTestItem, min_responses: int) -> list[str]:
    flags: list[str] = []
    if it.n < min_responses:
        flags.append("few_responses")
    if it.sx2_p is None:
        flags.append("fit_not_computed")
    elif it.sx2_p < MIN_FIT_P:
        flags.append("misfit")
    if not A_RANGE[0] <= it.a <= A_RANGE[1]:
        flags.append("discrimination_out_of_range")
    if abs(it.b) > MAX_ABS_B:
        flags.append("extreme_difficulty")
    if it.se_b is None or it.se_b > MAX_SE_B:
        flags.append("imprecise")
    if it.point_biserial is None or it.point_biserial < MIN_POINT_BISERIAL:
        flags.append("low_discrimination")
    return flags


@transaction.atomic
def fieldtest_calibrate(
    *,
    actor: User | None,
    min_responses: int = 200,
    promote: bool = False,
    now: datetime | None = None,
) -> FieldTestCalibration:
    """Calibrate the field-test items against the operational anchors.

    Stores each field-test item's new estimate (still provisional until
    promoted) and, with ``promote``, makes the ready ones operational; every
    change is audited. Idempotent: a second run on the same answers changes
    nothing.
    """
    now = now or timezone.now()
    ft_items = {
        i.pk: i for i in Item.objects.filter(field_test=True).select_related("level")
    }
    sessions = set(
        Response.objects.filter(item__field_test=True).values_list(
            "session_id", flat=True
        )
    )
    if not sessions:
        return FieldTestCalibration(0, 0, True, 0.0, 1.0)
    rows = list(
        Response.objects.filter(session_id__in=sessions)
        .order_by("session_id", "position")
        .values_list("session_id", "item_id", "correct", "option")
    )
    person_ix = {s: k for k, s in enumerate(sorted(sessions, key=str))}
    item_ids = sorted({r[1] for r in rows}, key=str)
    col = {pk: j for j, pk in enumerate(item_ids)}
    items = Item.objects.in_bulk(item_ids)
    y = np.full((len(person_ix), len(item_ids)), np.nan)
    choices: list[list[str | None]] = [[None] * len(item_ids) for _ in person_ix]
    for session_id, item_id, correct, option in rows:
        y[person_ix[session_id], col[item_id]] = float(correct)
        choices[person_ix[session_id]][col[item_id]] = option
    anchors = {
        col[pk]: (it.irt_a, it.irt_b, it.irt_c)
        for pk, it in items.items()
        if not it.field_test
    }
    fit = calibrate(y, "2pl", anchors=anchors or None)
    free = [col[pk] for pk in item_ids if pk in ft_items]
    fits = item_fit(
        y,
        fit.a,
        fit.b,
        fit.c,
        items=free,
        anchored=list(fit.anchored),
        population=(fit.population_mean, fit.population_sd),
    )
    classical = item_analysis(
        choices=choices,
        keys=[items[pk].key for pk in item_ids],
        options=[[o["id"] for o in items[pk].content["options"]] for pk in item_ids],
    )
    out: list[FieldTestItem] = []
    for j, f in zip(free, fits, strict=True):
        item = items[item_ids[j]]
        stats = classical.items[j]
        it = FieldTestItem(
            item_id=item_ref(item),
            n=f.n,
            a=float(fit.a[j]),
            b=float(fit.b[j]),
            se_a=f.se_a,
            se_b=f.se_b,
            sx2=f.sx2,
            sx2_df=f.df,
            sx2_p=f.p_value,
            p_value=stats.p_value,
            point_biserial=stats.point_biserial,
            flags=[],
            ready=False,
        )
        flags = _flags(it, min_responses)
        ready = not flags
        it = FieldTestItem(**(asdict(it) | {"flags": flags, "ready": ready}))
        before = {"a": item.irt_a, "b": item.irt_b, "field_test": True}
        after = {"a": round(it.a, 6), "b": round(it.b, 6), "field_test": True}
        fit_json = {
            "schema_version": 1,
            "n": it.n,
            "se_a": None if it.se_a is None else round(it.se_a, 4),
            "se_b": None if it.se_b is None else round(it.se_b, 4),
            "sx2": None if it.sx2 is None else round(it.sx2, 3),
            "df": it.sx2_df,
            "p": None if it.sx2_p is None else round(it.sx2_p, 4),
            "ready": ready,
            "flags": flags,
        }
        fields: dict[str, object] = {}
        if item.irt_fit.get("n") != it.n or item.irt_fit.get("p") != fit_json["p"]:
            fields["irt_fit"] = fit_json | {"at": f"{now:%Y-%m-%d}"}
        if (before["a"], before["b"]) != (after["a"], after["b"]):
            fields |= {
                "irt_a": after["a"],
                "irt_b": after["b"],
                "irt_c": 0.0,
                "irt_source": f"field test {now:%Y-%m-%d}",
            }
        if promote and ready:
            fields |= {"field_test": False, "irt_provisional": False}
            after["field_test"] = False
            it = FieldTestItem(**(asdict(it) | {"promoted": True}))
        if fields:
            Item.objects.filter(pk=item.pk).update(**fields)
            audit_record(
                actor=actor,
                action="item.operational" if it.promoted else "item.params",
                obj=item,
                before=before,
                after=after | {"se_b": None if it.se_b is None else round(it.se_b, 4)},
            )
        out.append(it)
    return FieldTestCalibration(
        persons=len(person_ix),
        anchors=len(anchors),
        converged=fit.converged,
        population_mean=fit.population_mean,
        population_sd=fit.population_sd,
        items=out,
    )
