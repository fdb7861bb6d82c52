"""Every target group has a working standard assessment in the default pack."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from tests.factories import learner_in

from hocvuso.assessment.models import Blueprint, Item
from hocvuso.assessment.services import answer_submit, session_start
from hocvuso.framework.models import TargetGroup

pytestmark = pytest.mark.django_db


def test_each_group_can_take_its_assessment(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("content", "import", verbosity=0)
    assert Item.objects.filter(is_current=True).count() >= 300
    groups = set(TargetGroup.objects.values_list("slug", flat=True))
    assert set(Blueprint.objects.values_list("target_group__slug", flat=True)) == groups
    rng = np.random.default_rng(2026)
    for blueprint in Blueprint.objects.select_related("target_group", "pass_level"):
        user = learner_in(30178)
        session = session_start(actor=user, blueprint=blueprint, seed=1)
        theta = float(rng.normal(0, 1))
        state = None
        while session.current_item is not None:
            item = session.current_item
            p = 1 / (1 + np.exp(-1.2 * (theta - item.irt_b)))
            wrong = next(
                o["id"] for o in item.content["options"] if o["id"] != item.key
            )
            state = answer_submit(
                actor=user,
                session_id=session.pk,
                item_id=str(item.pk),
                option=item.key if rng.random() < p else wrong,
                attempt_id=uuid.uuid4(),
            )
            session.refresh_from_db()
        assert state is not None and state.result is not None, blueprint
        config = blueprint.config
        assert config["min_items"] <= state.result.n_items <= config["max_items"]
        for area, (lo, hi) in config["content"].items():
            n = state.result.profile["domains"].get(area, {}).get("n", 0)
            assert lo <= n <= (hi or 99), (blueprint, area, n)
