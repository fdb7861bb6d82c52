"""Measurement you can defend (#14): pass rule, field tests, exposure parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from tests.assessment.conftest import BLUEPRINTS, write_bank_pack
from tests.assessment.helpers import answer
from tests.factories import learner_in

from hocvuso.assessment.models import (
    Blueprint,
    Item,
    ItemExposure,
    Response,
    TestSession,
)
from hocvuso.assessment.services import SessionState, session_start
from hocvuso.core.models import AuditLog
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db


def sit(blueprint: Blueprint, right: bool, seed: int = 1) -> SessionState:
    user = learner_in(30178)
    session = session_start(actor=user, blueprint=blueprint, seed=seed)
    state = None
    while True:
        state = answer(user, session, right)
        if state.finished:
            return state


def test_default_blueprints_never_pass_all_wrong_always_pass_all_right(
    tmp_path: Path, settings: Any
) -> None:
    """Every default blueprint: all wrong fails, all right passes."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("content", "import", verbosity=0)
    blueprints = list(Blueprint.objects.select_related("target_group", "pass_level"))
    assert len(blueprints) >= 9
    for bp in blueprints:
        assert bp.config["selection"] == "shadow", bp
        assert bp.config["exposure"] == "eligibility", bp
        wrong = sit(bp, right=False)
        right = sit(bp, right=True)
        assert wrong.result is not None and right.result is not None
        assert not wrong.result.passed, bp
        assert wrong.result.profile["decision"]["rule"] == "too_few_correct"
        assert right.result.passed, bp
        assert right.result.profile["decision"]["rule"] == "pass"


FIELD_TEST_ITEMS = """\
items:
  - id: ft-001
    competence: "4.2"
    level: TC1
    target_groups: [all]
    field_test: true
    stem: {vi: 'Câu thử nghiệm một?', en: 'Field test one?'}
    options:
      - {id: a, vi: 'Một', en: 'One'}
      - {id: b, vi: 'Hai', en: 'Two'}
    key: a
    explanation: {vi: 'Vì một.', en: 'Because one.'}
  - id: ft-002
    competence: "1.1"
    level: CB2
    target_groups: [all]
    field_test: true
    stem: {vi: 'Câu thử nghiệm hai?', en: 'Field test two?'}
    options:
      - {id: a, vi: 'Một', en: 'One'}
      - {id: b, vi: 'Hai', en: 'Two'}
    key: b
    explanation: {vi: 'Vì hai.', en: 'Because two.'}
"""


@pytest.fixture
def ft_pack(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    root = write_bank_pack(tmp_path / "pack")
    (root / "items/field.yaml").write_text(FIELD_TEST_ITEMS, encoding="utf-8")
    (root / "blueprints.yaml").write_text(
        BLUEPRINTS.replace(
            "    time_limit_minutes: 30\n    retake_cooldown_days: 7\n",
            "    time_limit_minutes: 30\n    retake_cooldown_days: 7\n"
            "    field_test_slots: 2\n",
            1,
        ),
        encoding="utf-8",
    )
    pack_import(source=PackSource.open(root), actor=None)
    return root


def test_field_test_items_are_unscored_and_never_in_the_first_three(
    ft_pack: Path,
) -> None:
    """Two field-test slots: positions 4..min, stored unscored, not in the CAT."""
    adults = Blueprint.objects.get(target_group__slug="adults")
    assert adults.field_test_slots == 2
    ft = set(Item.objects.filter(field_test=True).values_list("pk", flat=True))
    assert len(ft) == 2
    for seed in range(4):
        user = learner_in(30178)
        session = session_start(actor=user, blueprint=adults, seed=seed)
        slots = session.field_tests
        assert len(slots) == 2
        assert all(4 <= s["position"] <= adults.config["min_items"] for s in slots)
        state = None
        while state is None or not state.finished:
            state = answer(user, session, right=True)
        assert state.result is not None
        session.refresh_from_db()
        rows = list(Response.objects.filter(session=session).order_by("position"))
        unscored = [r for r in rows if not r.scored]
        assert {r.item_id for r in unscored} == ft
        assert sorted(r.position for r in unscored) == sorted(
            s["position"] for s in slots
        )
        assert all(r.position > 3 for r in unscored)
        # The adaptive test never saw them, and the result counts only the rest.
        administered = set(session.cat_state["administered"])
        assert not administered & {str(x) for x in ft}
        assert state.result.n_items == len(rows) - 2
        assert str(next(iter(ft))) not in session.bank_items


def test_field_test_items_are_kept_out_of_the_operational_bank(ft_pack: Path) -> None:
    """Without slots a sitting never draws a field-test item."""
    farmers = Blueprint.objects.get(target_group__slug="farmers")
    state = sit(farmers, right=True)
    assert state.result is not None
    assert not Response.objects.filter(item__field_test=True).exists()


def test_calibrate_exposure_stores_eligibility_and_sittings_use_it(
    ft_pack: Path,
) -> None:
    """The command stores a value per item; a sitting draws its eligibility."""
    adults = Blueprint.objects.get(target_group__slug="adults")
    adults.config = adults.config | {"exposure": "eligibility", "selection": "shadow"}
    adults.save()
    # Not calibrated yet: the sitting falls back to randomesque.
    first = session_start(actor=learner_in(30178), blueprint=adults, seed=3)
    assert first.cat_state["config"]["exposure"] == "randomesque"
    call_command(
        "assessment",
        "calibrate-exposure",
        "--group",
        "adults",
        "--simulees",
        "60",
        "--iterations",
        "2",
    )
    stored = ItemExposure.objects.filter(blueprint=adults, method="eligibility")
    n_operational = Item.objects.filter(is_current=True, field_test=False).count()
    assert stored.count() == n_operational
    assert all(0.0 <= v <= 1.0 for v in stored.values_list("value", flat=True))
    assert AuditLog.objects.filter(action="blueprint.exposure").count() == 1
    # Make two items never eligible: no sitting gets them.
    blocked = list(stored.order_by("item__slug")[:2])
    for row in blocked:
        row.value = 0.0
        row.save()
    blocked_ids = {str(r.item_id) for r in blocked}
    for seed in range(3):
        user = learner_in(30178)
        session = session_start(actor=user, blueprint=adults, seed=seed)
        assert session.cat_state["config"]["exposure"] == "eligibility"
        assert blocked_ids <= set(session.cat_state["ineligible"])
        state = None
        while state is None or not state.finished:
            state = answer(user, session, right=seed % 2 == 0)
        session = TestSession.objects.get(pk=session.pk)
        assert not blocked_ids & set(session.cat_state["administered"])


def test_calibrate_exposure_refuses_bad_options(ft_pack: Path) -> None:
    with pytest.raises(CommandError, match="simulees"):
        call_command("assessment", "calibrate-exposure", "--simulees", "1")
    with pytest.raises(CommandError, match="no adaptive blueprint"):
        call_command("assessment", "calibrate-exposure", "--group", "nobody")
