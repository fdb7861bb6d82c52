"""Differential item functioning between groups of learners (Mantel-Haenszel).

``hocvuso assessment dif`` compares, item by item, a focal and a reference
group matched on ability: the strata are the final ability estimates of the
sittings in steps of 0.5 logits (for adaptive tests the number-correct score
is not comparable between sittings; Zwick, Thayer & Wingersky, 1994). Groups
the data allows:

- ``age``: 50 or older at the sitting (focal) vs younger (from the birth year);
- ``province``: each province (focal) vs all others;
- ``language``: sittings in English (focal) vs Vietnamese.

Gender is not recorded in learner profiles, so it cannot be analysed (the
report says so). An item is compared only when both groups have at least
``min_group`` answers. ETS class C items are listed for review.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from hocvuso.assessment.calibration import item_ref
from hocvuso.assessment.models import Item, Response
from hocvuso.psychometrics.itemfit import mantel_haenszel

GROUPINGS = ("age", "province", "language")
NOT_RECORDED = ("gender",)
STRATUM_WIDTH = 0.5


@dataclass(frozen=True)
class DifRow:
    item_id: str
    grouping: str
    focal: str
    n_reference: int
    n_focal: int
    delta: float
    se: float
    ets: str


def dif_analyse(*, min_group: int = 100) -> list[DifRow]:
    """Return the MH DIF of every item and grouping with enough answers."""
    rows = Response.objects.filter(session__result__isnull=False).values_list(
        "item_id",
        "correct",
        "session__result__theta",
        "session__language",
        "session__started_at",
        "session__user__profile__birth_year",
        "session__user__profile__commune__province_id",
    )
    by_item: dict[uuid.UUID, list[tuple[float, float, str, int, str]]] = defaultdict(
        list
    )
    for item_id, correct, theta, lang, started, born, province in rows.iterator(
        chunk_size=2000
    ):
        old = -1 if born is None else int(started.year - born >= 50)
        by_item[item_id].append(
            (float(correct), float(theta), lang or "vi", old, str(province or ""))
        )
    items = Item.objects.in_bulk(list(by_item))
    out: list[DifRow] = []
    for pk, answers in sorted(by_item.items(), key=lambda kv: str(kv[0])):
        y = np.array([r[0] for r in answers])
        strata = np.floor(np.array([r[1] for r in answers]) / STRATUM_WIDTH)
        ref = item_ref(items[pk])
        comparisons: list[tuple[str, str, np.ndarray, np.ndarray]] = []
        age = np.array([r[3] for r in answers])
        comparisons.append(("age", "50+", age == 1, age >= 0))
        langs = np.array([r[2] for r in answers])
        comparisons.append(("language", "en", langs == "en", np.ones(y.size, bool)))
        prov = np.array([r[4] for r in answers])
        for code in sorted(set(prov) - {""}):
            comparisons.append(("province", code, prov == code, prov != ""))
        for grouping, label, focal, usable in comparisons:
            n_focal = int(np.sum(focal & usable))
            n_ref = int(np.sum(~focal & usable))
            if n_focal < min_group or n_ref < min_group:
                continue
            res = mantel_haenszel(y[usable], focal[usable], strata[usable])
            if res is None:
                continue
            out.append(
                DifRow(
                    item_id=ref,
                    grouping=grouping,
                    focal=label,
                    n_reference=res.n_reference,
                    n_focal=res.n_focal,
                    delta=res.delta,
                    se=res.se_delta,
                    ets=res.ets,
                )
            )
    return out
