"""A field-test item goes from import to calibrated and operational; DIF; report."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone
from tests.assessment.test_measurement import ft_pack  # noqa: F401 (fixture)
from tests.factories import learner_in

from hocvuso.assessment.calibration import analysis_report
from hocvuso.assessment.models import Blueprint, Item, Response, Result, TestSession
from hocvuso.core.models import AuditLog
from hocvuso.framework.models import Framework

pytestmark = pytest.mark.django_db


def simulate_sittings(n: int, *, dif_item: str | None = None, seed: int = 0) -> None:
    """Store ``n`` finished sittings answered from a 2PL model (bulk rows).

    Every sitting answers 12 operational items and both field-test items;
    ``ft-001`` follows the model (a=1.2, b=-0.5), ``ft-002`` is answered at
    random. Half the learners are 50 or older; with ``dif_item`` that item is
    much harder for them at equal ability.
    """
    rng = np.random.default_rng(seed)
    bp = Blueprint.objects.get(target_group__slug="adults")
    framework = Framework.objects.first()
    ops = list(Item.objects.filter(is_current=True, field_test=False))
    ft = {i.slug: i for i in Item.objects.filter(field_test=True)}
    now = timezone.now()
    for k in range(n):
        old = k % 2 == 0
        user = learner_in(30178, birth_year=now.year - (60 if old else 30))
        theta = float(rng.normal())
        session = TestSession.objects.create(
            user=user,
            blueprint=bp,
            status=TestSession.Status.COMPLETED,
            seed=k,
            started_at=now - timedelta(hours=1),
            expires_at=now,
            finished_at=now,
            language="vi",
        )
        Result.objects.create(
            session=session,
            user=user,
            target_group=bp.target_group,
            framework=framework,
            theta=theta,
            se=0.4,
            passed=theta > -1.5,
            n_items=12,
            stop_reason="max_items",
        )
        chosen = [ops[j] for j in rng.choice(len(ops), 12, replace=False)]
        rows = []
        for pos, item in enumerate([*chosen, ft["ft-001"], ft["ft-002"]], start=1):
            a, b = (1.2, -0.5) if item.slug == "ft-001" else (item.irt_a, item.irt_b)
            if item.slug == dif_item and old:
                b += 1.5
            p = 1 / (1 + np.exp(-a * (theta - b)))
            if item.slug == "ft-002":
                p = 0.5
            right = bool(rng.random() < p)
            wrong = next(
                o["id"] for o in item.content["options"] if o["id"] != item.key
            )
            rows.append(
                Response(
                    session=session,
                    item=item,
                    position=pos,
                    option=item.key if right else wrong,
                    correct=right,
                    scored=not item.field_test,
                )
            )
        Response.objects.bulk_create(rows)


def test_field_test_item_becomes_operational(ft_pack: Path, tmp_path: Path) -> None:  # noqa: F811
    """calibrate --promote: the model item joins the bank, the random one not."""
    simulate_sittings(400)
    report = tmp_path / "fit.json"
    call_command(
        "assessment", "calibrate", "--min-responses", "200", "--promote",
        "--report", str(report),
    )  # fmt: skip
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["anchors"] >= 40 and data["persons"] == 400
    by_id = {i["item_id"].split("@")[0]: i for i in data["items"]}
    good, bad = by_id["ft-001"], by_id["ft-002"]
    assert good["ready"] and good["promoted"] and good["flags"] == []
    assert good["a"] == pytest.approx(1.2, abs=0.4)
    assert good["b"] == pytest.approx(-0.5, abs=0.35)
    assert 0 < good["se_b"] < 0.3 and good["sx2_p"] is not None
    assert good["p_value"] is not None and good["point_biserial"] > 0.2
    assert not bad["ready"] and not bad["promoted"]
    assert (
        "low_discrimination" in bad["flags"]
        or "discrimination_out_of_range" in (bad["flags"])
    )
    promoted = Item.objects.get(slug="ft-001", is_current=True)
    assert not promoted.field_test and not promoted.irt_provisional
    assert promoted.irt_fit["ready"] and promoted.irt_fit["se_b"] > 0
    assert Item.objects.get(slug="ft-002", is_current=True).field_test
    assert AuditLog.objects.filter(action="item.operational").count() == 1
    # The promoted item is an anchor now, so the other item moves once more;
    # after that a run on the same answers changes nothing.
    call_command("assessment", "calibrate", "--report", str(report))
    audits = AuditLog.objects.count()
    call_command("assessment", "calibrate", "--report", str(report))
    assert AuditLog.objects.count() == audits
    # The promoted item is now in the operational bank of new sittings.
    from hocvuso.assessment.bank import items_for_group

    adults = Blueprint.objects.get(target_group__slug="adults")
    assert promoted in list(items_for_group(adults.target_group))


def test_dif_lists_class_c_items_and_the_report_shows_plain_flags(
    ft_pack: Path,  # noqa: F811
    capsys: Any,
) -> None:
    """An item much harder for learners of 50+ is class C; the report says so."""
    simulate_sittings(500, dif_item="ft-001", seed=1)
    out = io.StringIO()
    call_command("assessment", "dif", "--min-group", "100", stderr=out)
    printed = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(printed)))
    c_items = {r["item_id"] for r in rows if r["ets"] == "C"}
    assert any(x.startswith("ft-001@") for x in c_items)
    age = next(r for r in rows if r["item_id"].startswith("ft-001@"))
    assert age["grouping"] == "age" and float(age["delta_mh"]) < -1.5
    assert "class C: ft-001@1" in out.getvalue()
    assert "gender" in out.getvalue()
    ops_c = [r for r in rows if r["ets"] == "C" and not r["item_id"].startswith("ft")]
    assert len(ops_c) <= 2  # fair items rarely look unfair by chance
    buf = io.StringIO()
    analysis_report(buf, min_group=100)
    report = {r["item_id"]: r for r in csv.DictReader(io.StringIO(buf.getvalue()))}
    ft1 = report["ft-001@1"]
    assert "C:age=50+" in ft1["dif"]
    assert "dif_C" in ft1["flags"] and "DIF" in ft1["plain"]
    assert ft1["status"] == "field_test"
    assert "field_test_not_ready" in ft1["flags"]
    assert set(report["1-1-000@1"]) >= {"a", "b", "se_b", "fit_p", "plain"}
