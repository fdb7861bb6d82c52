"""Tallies for programs: people reached by activity and month, by unit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import time_machine
from tests.community.visits.conftest import (
    COMMUNE_A,
    COMMUNE_C,
    PROVINCE_AB,
    World,
    join,
    visit_data,
)
from tests.factories import UserFactory

from hocvuso.community.selectors import (
    followups,
    hamlet_suggestions,
    visit_tallies,
    visits_visible,
)
from hocvuso.community.visits import visit_record


def test_tallies_count_people_by_activity_and_local_month(
    world: World, django_assert_num_queries: Any
) -> None:
    # 2026-02-28 23:30 in Vietnam is still February there (16:30 UTC).
    with time_machine.travel(datetime(2026, 3, 5, tzinfo=UTC), tick=False):
        feb = datetime(2026, 2, 28, 16, 30, tzinfo=UTC)
        mar = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
        visit_record(
            actor=world.volunteer,
            data=visit_data(world.team, visited_at=feb, people_helped=3),
        )
        visit_record(
            actor=world.volunteer,
            data=visit_data(
                world.team,
                visited_at=mar,
                people_helped=5,
                activities=["vneid_installed", "payment"],
            ),
        )
        other = UserFactory()
        join(other, world.other_team, by=world.officer_c)
        visit_record(
            actor=other,
            data=visit_data(world.other_team, visited_at=mar, people_helped=7),
        )
    start, end = date(2026, 2, 1), date(2026, 3, 31)
    with django_assert_num_queries(3):
        tallies = visit_tallies(commune_codes=[COMMUNE_A], start=start, end=end)
    assert (tallies.visits, tallies.people) == (2, 8)
    assert tallies.by_activity["vneid_installed"] == 8
    assert tallies.by_activity["level1_activated"] == 3
    assert tallies.by_activity["payment"] == 5
    assert tallies.by_activity["scam_awareness"] == 0
    assert tallies.visits_by_activity["vneid_installed"] == 2
    assert tallies.by_month == {date(2026, 2, 1): 3, date(2026, 3, 1): 5}
    assert visit_tallies(province_code=PROVINCE_AB, start=start, end=end).people == 8
    assert visit_tallies(start=start, end=end).people == 15
    assert visit_tallies(commune_codes=[COMMUNE_C], start=start, end=end).people == 7
    assert visit_tallies(team=world.team, start=end, end=end).people == 0
    assert visit_tallies(commune_codes=[], start=start, end=end).visits == 0


def test_who_sees_which_visits(world: World) -> None:
    mine = visit_record(actor=world.volunteer, data=visit_data(world.team)).visit
    assert list(visits_visible(world.officer_a)) == [mine]
    assert list(visits_visible(world.province_officer)) == [mine]
    assert list(visits_visible(world.officer_c)) == []
    teammate = UserFactory()
    join(teammate, world.team, by=world.officer_a)
    assert list(visits_visible(teammate)) == [mine]
    assert list(visits_visible(UserFactory())) == []


def test_hamlets_and_follow_ups(world: World) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    for hamlet in ["Ấp 2", "Ấp 1", "Ấp 2"]:
        visit_record(actor=world.volunteer, data=visit_data(world.team, hamlet=hamlet))
    assert hamlet_suggestions(team=world.team) == ["Ấp 2", "Ấp 1"]
    later = visit_record(
        actor=world.volunteer,
        data=visit_data(
            world.team, followup_what="b", followup_due=today + timedelta(days=5)
        ),
    ).visit
    sooner = visit_record(
        actor=world.volunteer,
        data=visit_data(world.team, followup_what="a", followup_due=today),
    ).visit
    assert list(followups(user=world.volunteer)) == [sooner, later]
    assert list(followups(user=world.officer_a, team=world.team)) == [sooner, later]
    assert list(followups(user=world.officer_c, team=world.team)) == []
