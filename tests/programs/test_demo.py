"""``hocvuso demo generate --learners N``: synthetic data, marked, reproducible."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.assessment.conftest import adults, bank  # noqa: F401 (fixtures)
from tests.programs.engine_support import at, learner

from hocvuso.accounts.models import LearnerProfile, User
from hocvuso.assessment.models import Blueprint, Result
from hocvuso.community.models import Visit
from hocvuso.credentials.models import Confirmation
from hocvuso.demo.synthetic import DEMO_PREFIX, DemoRefused, demo_spread
from hocvuso.programs.indicator_sets import indicator_set_load
from hocvuso.programs.models import Fact
from hocvuso.programs.rollup import facts_rebuild

pytestmark = pytest.mark.django_db

NOW = at(2026, 6, 20, 12)


def test_demo_data_is_spread_marked_and_counted(
    adults: Blueprint,  # noqa: F811
) -> None:
    report = demo_spread(learners=60, rng=np.random.default_rng(3), now=NOW)
    assert (
        report.learners
        == 60
        == User.objects.filter(username__startswith=DEMO_PREFIX).count()
    )
    someone = User.objects.filter(username__startswith=DEMO_PREFIX).first()
    assert someone is not None and not someone.has_usable_password()
    assert report.results == Result.objects.count() > 30
    assert report.confirmations == Confirmation.objects.count() > 0
    assert report.visits == Visit.objects.count() == 15
    assert len(set(LearnerProfile.objects.values_list("commune_id", flat=True))) > 50
    assert "tasks" in report.skipped
    assert all(r.created_at <= NOW for r in Result.objects.all())
    indicator_set_load()
    facts_rebuild(now=NOW)
    passed = Result.objects.filter(passed=True).values("user").distinct().count()
    nation = Fact.objects.get(
        level="nation", year=2026, month=6, indicator="basic-skills", group=""
    )
    assert nation.numerator == passed


def test_the_same_seed_gives_the_same_spread(
    adults: Blueprint,  # noqa: F811
) -> None:
    first = demo_spread(learners=30, rng=np.random.default_rng(5), now=NOW)
    communes = sorted(LearnerProfile.objects.values_list("commune_id", flat=True))
    second = demo_spread(learners=30, rng=np.random.default_rng(5), now=NOW)
    assert (first.results, first.visits) == (second.results, second.visits)
    both = sorted(LearnerProfile.objects.values_list("commune_id", flat=True))
    assert both == sorted(communes * 2)


def test_demo_data_is_refused_beside_real_learners(
    adults: Blueprint,  # noqa: F811
) -> None:
    learner()
    with pytest.raises(DemoRefused, match="real learners"):
        demo_spread(learners=5, rng=np.random.default_rng(1), now=NOW)
    with pytest.raises(CommandError, match="--force"):
        call_command("demo", "generate", "--learners", "5")
    assert not User.objects.filter(username__startswith=DEMO_PREFIX).exists()
    call_command("demo", "generate", "--learners", "5", "--force")
    assert User.objects.filter(username__startswith=DEMO_PREFIX).count() == 5
