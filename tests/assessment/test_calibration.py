"""The calibration loop round-trips on simulated responses."""

from __future__ import annotations

import csv
import uuid
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from tests.factories import learner_in

from hocvuso.assessment.models import Blueprint, Item, Response, TestSession
from hocvuso.core.models import AuditLog
from hocvuso.psychometrics.cli import main as irt_main

pytestmark = pytest.mark.django_db


def simulate(
    adults: Blueprint, persons: int, rng: np.random.Generator
) -> dict[str, float]:
    """Store a fixed-form sitting of every item for ``persons`` simulees."""
    items = list(Item.objects.filter(is_current=True).order_by("slug"))
    true_b = {i.slug: float(rng.normal(0, 1)) for i in items}
    user = learner_in(30178)
    now = timezone.now()
    theta = rng.normal(0, 1, persons)
    sessions = TestSession.objects.bulk_create(
        TestSession(
            user=user,
            blueprint=adults,
            status="completed",
            seed=k,
            started_at=now,
            expires_at=now + timedelta(hours=1),
            finished_at=now,
        )
        for k in range(persons)
    )
    rows = []
    for s, t in zip(sessions, theta, strict=True):
        for pos, item in enumerate(items, start=1):
            p = 1 / (1 + np.exp(-1.3 * (t - true_b[item.slug])))
            right = bool(rng.random() < p)
            option = item.key if right else "a"
            rows.append(
                Response(
                    attempt_id=uuid.uuid4(),
                    session=s,
                    item=item,
                    position=pos,
                    option=option,
                    correct=right,
                )
            )
    Response.objects.bulk_create(rows, batch_size=2000)
    return true_b


def test_export_calibrate_import(adults: Blueprint, tmp_path: Path) -> None:
    true_b = simulate(adults, 500, np.random.default_rng(42))
    responses = tmp_path / "responses.csv"
    call_command("assessment", "export-responses", str(responses))
    with responses.open() as fh:
        header, first = next(csv.reader(fh)), next(csv.reader(fh))
    assert header == ["person_id", "item_id", "response"] and "@1" in first[1]

    params = tmp_path / "params.csv"
    assert (
        irt_main(
            [
                "calibrate",
                str(responses),
                "--out",
                str(params),
                "--report",
                str(tmp_path / "fit.json"),
            ]
        )
        == 0
    )
    call_command("assessment", "import-params", str(params))

    items = Item.objects.filter(is_current=True)
    assert not items.filter(irt_provisional=True).exists()
    est = np.array([i.irt_b for i in items])
    truth = np.array([true_b[i.slug] for i in items])
    assert np.corrcoef(est, truth)[0, 1] > 0.95
    assert AuditLog.objects.filter(action="item.params").count() == items.count()

    anchors = tmp_path / "anchors.csv"
    call_command("assessment", "export-params", str(anchors), "--calibrated-only")
    assert len(anchors.read_text().splitlines()) == items.count() + 1
    # A second calibration anchored on the first keeps the scale.
    params2 = tmp_path / "params2.csv"
    assert (
        irt_main(
            [
                "calibrate",
                str(responses),
                "--anchors",
                str(anchors),
                "--out",
                str(params2),
                "--report",
                str(tmp_path / "f2.json"),
            ]
        )
        == 0
    )
    call_command("assessment", "import-params", str(params2))
    assert AuditLog.objects.filter(action="item.params").count() >= items.count()


def test_item_analysis_report(adults: Blueprint, tmp_path: Path) -> None:
    simulate(adults, 60, np.random.default_rng(1))
    report = tmp_path / "analysis.csv"
    call_command("assessment", "item-analysis", str(report))
    rows = list(csv.DictReader(report.open()))
    assert len(rows) == 48 and float(rows[0]["p_value"]) > 0
    assert "b:" in rows[0]["options"] and "nonfunctional_distractor" in " ".join(
        r["flags"] for r in rows
    )


def test_import_params_rejects_bad_files(adults: Blueprint, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("item_id,a,b,c\n1-1-000@1,x,0,0\n")
    with pytest.raises(CommandError, match="line 2"):
        call_command("assessment", "import-params", str(bad))
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("item_id,a,b,c\nnope@1,1,0,0\n")
    with pytest.raises(CommandError, match="unknown items: nope@1"):
        call_command("assessment", "import-params", str(unknown))
    assert Item.objects.filter(irt_provisional=False).count() == 0
