"""The calibration loop: export responses, import calibrated parameters.

1. ``hocvuso assessment export-responses responses.csv`` writes every answer as
   ``person_id,item_id,response`` (person = pseudonymous sitting id; item =
   ``slug@version``, because different versions are different items).
2. ``hocvuso assessment export-params anchors.csv`` writes the items already
   calibrated: pass it to ``hocvuso irt calibrate --anchors`` so the new
   estimates stay on the bank's scale.
3. ``hocvuso irt calibrate responses.csv --anchors anchors.csv --out params.csv``
4. ``hocvuso assessment import-params params.csv`` stores the parameters (no
   longer provisional), audited per item.
``hocvuso assessment item-analysis report.csv`` gives content editors the
classical statistics and flags (p-value, point-biserial, distractors).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import User
from hocvuso.assessment.models import Item, Response
from hocvuso.core.services import audit_record
from hocvuso.psychometrics import item_analysis
from hocvuso.psychometrics.io import read_params_csv


def item_ref(item: Item) -> str:
    return f"{item.slug}@{item.version}"


def _item_by_ref(ref: str) -> Item | None:
    slug, _, version = ref.partition("@")
    qs = Item.objects.filter(slug=slug)
    if version:
        return qs.filter(version=int(version) if version.isdigit() else -1).first()
    return qs.filter(is_current=True).first()


def responses_export(out: io.TextIOBase | io.StringIO) -> int:
    """Write all answers in long form; return the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["person_id", "item_id", "response"])
    n = 0
    rows = Response.objects.select_related("item").order_by("session_id", "position")
    for r in rows.iterator(chunk_size=2000):
        writer.writerow([str(r.session_id), item_ref(r.item), int(r.correct)])
        n += 1
    return n


def params_export(out: io.TextIOBase | io.StringIO, *, calibrated_only: bool) -> int:
    """Write ``item_id,a,b,c`` of current items (anchors for the next run)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["item_id", "a", "b", "c"])
    qs = Item.objects.filter(is_current=True).order_by("slug")
    if calibrated_only:
        qs = qs.filter(irt_provisional=False)
    n = 0
    for item in qs:
        writer.writerow(
            [
                item_ref(item),
                f"{item.irt_a:.6g}",
                f"{item.irt_b:.6g}",
                f"{item.irt_c:.6g}",
            ]
        )
        n += 1
    return n


@dataclass(frozen=True)
class ParamsImport:
    updated: int
    unchanged: int
    unknown: list[str]


@transaction.atomic
def params_import(*, path: Path, actor: User | None, source: str = "") -> ParamsImport:
    """Store calibrated parameters; all-or-nothing, audited per item.

    Raises ``psychometrics.InputFormatError`` (with the line) for a bad file and
    ``ValueError`` naming unknown items; nothing is written then.
    """
    params = read_params_csv(path)
    unknown: list[str] = []
    items: list[tuple[Item, float, float, float]] = []
    for ref, a, b, c in zip(params.item_ids, params.a, params.b, params.c, strict=True):
        item = _item_by_ref(ref)
        if item is None:
            unknown.append(ref)
        else:
            items.append((item, float(a), float(b), float(c)))
    if unknown:
        raise ValueError(f"unknown items: {', '.join(unknown[:10])}")
    label = source or f"calibrated {timezone.localdate():%Y-%m-%d}"
    updated = unchanged = 0
    for item, a, b, c in items:
        before = {
            "a": item.irt_a,
            "b": item.irt_b,
            "c": item.irt_c,
            "provisional": item.irt_provisional,
        }
        after = {
            "a": round(a, 6),
            "b": round(b, 6),
            "c": round(c, 6),
            "provisional": False,
        }
        if before == after:
            unchanged += 1
            continue
        Item.objects.filter(pk=item.pk).update(
            irt_a=after["a"],
            irt_b=after["b"],
            irt_c=after["c"],
            irt_provisional=False,
            irt_source=label[:80],
        )
        audit_record(
            actor=actor, action="item.params", obj=item, before=before, after=after
        )
        updated += 1
    return ParamsImport(updated=updated, unchanged=unchanged, unknown=[])


def plain_flags() -> dict[str, str]:
    """Return what each flag means, in plain words for content editors."""
    return {
        "few_responses": _("too few answers to judge"),
        "too_hard": _("very few learners answer it right"),
        "too_easy": _("almost every learner answers it right"),
        "low_discrimination": _("does not tell strong from weak learners"),
        "negative_discrimination": _(
            "strong learners get it wrong more often than weak ones: check the key"
        ),
        "distractor_attracts_high_scorers": _(
            "a wrong option attracts strong learners: check it"
        ),
        "nonfunctional_distractor": _("a wrong option almost nobody chooses"),
        "key_never_chosen": _("nobody chose the key: probably a wrong key"),
        "misfit": _("does not fit the measurement model (S-X² p < 0.01)"),
        "dif_C": _(
            "works differently for one group of learners of equal ability "
            "(DIF class C): review it"
        ),
        "dif_B": _("slightly different for one group of learners (DIF class B)"),
        "field_test_ready": _("field test: ready to become operational"),
        "field_test_not_ready": _("field test: not ready yet"),
    }


def analysis_report(out: io.TextIOBase | io.StringIO, *, min_group: int = 100) -> int:
    """Write classical statistics, IRT parameters, fit, DIF and flags per item.

    Columns: classical (n, p-value, corrected point-biserial, options), the
    item's parameters (a, b; SE(b), S-X² p from the last field-test
    calibration), the worst DIF class per grouping, the flags and the same
    flags in plain words.
    """
    from hocvuso.assessment.dif import dif_analyse

    dif: dict[str, list[str]] = defaultdict(list)
    for row in dif_analyse(min_group=min_group):
        if row.ets != "A":
            dif[row.item_id].append(f"{row.ets}:{row.grouping}={row.focal}")
    words = plain_flags()
    by_person: dict[str, dict[str, str]] = defaultdict(dict)
    items: dict[str, Item] = {}
    for r in Response.objects.select_related("item").iterator(chunk_size=2000):
        ref = item_ref(r.item)
        items[ref] = r.item
        by_person[str(r.session_id)][ref] = r.option
    refs = sorted(items)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "item_id",
            "competence",
            "level",
            "n",
            "p_value",
            "point_biserial",
            "options",
            "a",
            "b",
            "se_b",
            "fit_p",
            "status",
            "dif",
            "flags",
            "plain",
        ]
    )
    if not refs:
        return 0
    choices = [[answers.get(ref) for ref in refs] for answers in by_person.values()]
    result = item_analysis(
        choices=choices,
        keys=[items[ref].key for ref in refs],
        options=[[o["id"] for o in items[ref].content["options"]] for ref in refs],
    )
    for ref, stats in zip(refs, result.items, strict=True):
        item = items[ref]
        fit = item.irt_fit or {}
        flags = list(stats.flags)
        if "misfit" in fit.get("flags", []):
            flags.append("misfit")
        classes = {x.split(":")[0] for x in dif.get(ref, [])}
        flags += [f"dif_{c}" for c in sorted(classes, reverse=True)[:1]]
        if item.field_test:
            flags.append(
                "field_test_ready" if fit.get("ready") else "field_test_not_ready"
            )
        status = (
            "field_test"
            if item.field_test
            else ("provisional" if item.irt_provisional else "calibrated")
        )
        writer.writerow(
            [
                ref,
                item.competence.code,
                item.level.code,
                stats.n,
                "" if stats.p_value is None else f"{stats.p_value:.3f}",
                "" if stats.point_biserial is None else f"{stats.point_biserial:.3f}",
                " ".join(f"{o.option}:{o.count}" for o in stats.options),
                f"{item.irt_a:.3f}",
                f"{item.irt_b:.3f}",
                "" if fit.get("se_b") is None else f"{fit['se_b']:.3f}",
                "" if fit.get("p") is None else f"{fit['p']:.3f}",
                status,
                " ".join(dif.get(ref, [])),
                " ".join(flags),
                "; ".join(words.get(f, f) for f in flags),
            ]
        )
    return len(refs)
