"""Recording visits: validation, idempotency (also under concurrency), photos."""

from __future__ import annotations

import io
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from PIL import Image
from tests.community.visits.conftest import World, join, make_world, visit_data
from tests.conftest import load_reference_data
from tests.factories import UserFactory

from hocvuso.community.errors import (
    NotAllowed,
    NotFoundHere,
    PhotoInvalid,
    VisitConflict,
    VisitInvalid,
)
from hocvuso.community.models import Visit, VisitActivity
from hocvuso.community.visits import (
    PhotoUpload,
    followup_done,
    visit_record,
    visits_sync,
)


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path):
        yield tmp_path


def jpeg(width: int, height: int, *, gps: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (10.0, 20.0, 30.0), 3: "E", 4: (106.0, 40.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_visit_is_stored_with_its_activities(world: World) -> None:
    data = visit_data(world.team, note="Bà cụ số 0912345678, CCCD 012345678901")
    done = visit_record(actor=world.volunteer, data=data)
    assert done.created
    visit = done.visit
    assert visit.pk == data.id
    assert visit.commune_id == world.team.commune_id
    assert sorted(
        VisitActivity.objects.filter(visit=visit).values_list("activity", flat=True)
    ) == [
        "level1_activated",
        "vneid_installed",
    ]
    assert "0912345678" not in visit.note
    assert "012345678901" not in visit.note
    assert "[redacted]" in visit.note


def test_sending_again_returns_the_first_record(world: World) -> None:
    data = visit_data(world.team)
    first = visit_record(actor=world.volunteer, data=data)
    again = visit_record(
        actor=world.volunteer,
        data=visit_data(world.team, id=data.id, people_helped=9, hamlet="Ấp 9"),
    )
    assert not again.created
    assert again.visit.pk == first.visit.pk
    assert again.visit.people_helped == 2
    assert Visit.objects.count() == 1
    assert VisitActivity.objects.count() == 2


def test_another_volunteers_id_is_a_conflict(world: World) -> None:
    data = visit_data(world.team)
    visit_record(actor=world.volunteer, data=data)
    other = UserFactory()
    join(other, world.team, by=world.officer_a)
    with pytest.raises(VisitConflict):
        visit_record(actor=other, data=data)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"people_helped": 0}, "từ 1 đến 50"),
        ({"people_helped": -3}, "từ 1 đến 50"),
        ({"people_helped": 5000}, "từ 1 đến 50"),
        ({"hamlet": "   "}, "Nhập ấp"),
        ({"activities": ["hacking"]}, "không nằm trong danh sách"),
        ({"visited_at_shift": timedelta(hours=2)}, "tương lai"),
        ({"visited_at_shift": -timedelta(days=400)}, "hơn một năm"),
        ({"followup_due_shift": -1}, "đã qua"),
        ({"followup_what": "Quay lại", "followup_due": None}, "Chọn ngày"),
        ({"note": "x" * 1001}, "quá dài"),
    ],
)
def test_bad_visits_are_refused_in_vietnamese(
    world: World, overrides: dict[str, Any], message: str
) -> None:
    now = timezone.now()
    if "visited_at_shift" in overrides:
        overrides["visited_at"] = now + overrides.pop("visited_at_shift")
    if "followup_due_shift" in overrides:
        days = overrides.pop("followup_due_shift")
        overrides["followup_due"] = timezone.localdate(now) + timedelta(days=days)
        overrides["followup_what"] = "Gọi lại"
    with pytest.raises(VisitInvalid, match=message):
        visit_record(
            actor=world.volunteer, data=visit_data(world.team, **overrides), now=now
        )
    assert Visit.objects.count() == 0


def test_a_few_minutes_of_clock_skew_are_accepted(world: World) -> None:
    now = timezone.now()
    data = visit_data(world.team, visited_at=now + timedelta(minutes=5))
    assert visit_record(actor=world.volunteer, data=data, now=now).created


def test_unknown_team_and_non_members_are_refused(world: World) -> None:
    with pytest.raises(NotFoundHere):
        visit_record(
            actor=world.volunteer, data=visit_data(world.team, team_id=uuid.uuid4())
        )
    # Another commune's team is not even disclosed.
    with pytest.raises(NotFoundHere):
        visit_record(actor=world.volunteer, data=visit_data(world.other_team))
    # The commune officer sees the team but is not a member.
    with pytest.raises(NotAllowed):
        visit_record(actor=world.officer_a, data=visit_data(world.team))
    assert Visit.objects.count() == 0


def test_a_photo_is_shrunk_and_loses_its_location(world: World, media: Path) -> None:
    photo = PhotoUpload(content=jpeg(4000, 3000, gps=True))
    visit = visit_record(
        actor=world.volunteer, data=visit_data(world.team), photo=photo
    ).visit
    with Image.open(visit.photo.path) as stored:
        assert max(stored.size) == 2000
        exif = stored.getexif()
        assert 0x8825 not in exif
        assert 0x010F not in exif
    assert not visit.photo_location_kept


def test_the_location_is_kept_when_the_volunteer_asks(
    world: World, media: Path
) -> None:
    photo = PhotoUpload(content=jpeg(800, 600, gps=True), keep_location=True)
    visit = visit_record(
        actor=world.volunteer, data=visit_data(world.team), photo=photo
    ).visit
    with Image.open(visit.photo.path) as stored:
        assert stored.size == (800, 600)
        gps = stored.getexif().get_ifd(0x8825)
        assert gps[1] == "N"
    assert visit.photo_location_kept


def test_a_bad_photo_keeps_nothing(world: World, media: Path) -> None:
    with pytest.raises(PhotoInvalid, match="không phải ảnh"):
        visit_record(
            actor=world.volunteer,
            data=visit_data(world.team),
            photo=PhotoUpload(content=b"not an image at all"),
        )
    with pytest.raises(PhotoInvalid, match="quá lớn"):
        visit_record(
            actor=world.volunteer,
            data=visit_data(world.team),
            photo=PhotoUpload(content=b"\xff" * (10 * 1024 * 1024 + 1)),
        )
    assert Visit.objects.count() == 0
    assert not any(media.rglob("*.jpg"))


def test_a_failed_insert_removes_the_stored_photo(world: World, media: Path) -> None:
    # A fault after the file is stored (injected in the audit write, the last
    # step of the transaction): the row is rolled back and the file removed.
    from unittest import mock

    with (
        mock.patch(
            "hocvuso.community.visits.audit_record", side_effect=RuntimeError("disk")
        ),
        pytest.raises(RuntimeError),
    ):
        visit_record(
            actor=world.volunteer,
            data=visit_data(world.team),
            photo=PhotoUpload(content=jpeg(100, 100)),
        )
    assert Visit.objects.count() == 0
    assert not any(media.rglob("*.jpg"))


def test_a_batch_reports_each_visit(world: World) -> None:
    good = visit_data(world.team)
    visit_record(actor=world.volunteer, data=good)
    fresh = visit_data(world.team)
    bad = visit_data(world.team, people_helped=0)
    report = visits_sync(actor=world.volunteer, batch=[good, fresh, bad])
    assert [(r.status, r.http_status) for r in report.results] == [
        ("duplicate", 200),
        ("created", 200),
        ("error", 422),
    ]
    assert Visit.objects.count() == 2


def test_follow_up_done_by_the_volunteer_or_the_officer_only(world: World) -> None:
    due = timezone.localdate() + timedelta(days=3)
    visit = visit_record(
        actor=world.volunteer,
        data=visit_data(world.team, followup_what="Hướng dẫn mức 2", followup_due=due),
    ).visit
    with pytest.raises(NotAllowed):
        followup_done(actor=world.officer_c, visit=visit)
    followup_done(actor=world.officer_a, visit=visit)
    visit.refresh_from_db()
    assert visit.followup_done_at is not None
    assert visit.followup_done_by == world.officer_a


@pytest.fixture(scope="module")
def _reference_data_back(django_db_blocker: Any) -> Iterator[None]:
    """Reload units and framework for later tests: transactional ones flush."""
    yield
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_resends_store_one_visit(_reference_data_back: None) -> None:
    # Real threads with their own connections need committed rows.
    load_reference_data()
    w = make_world()
    data = visit_data(w.team)
    parallel = 8
    start = threading.Barrier(parallel)

    def send(_n: int) -> tuple[str, bool]:
        try:
            start.wait(timeout=60)
            if _n % 2:  # half through a sync batch, half one by one
                result = visits_sync(actor=w.volunteer, batch=[data]).results[0]
                return result.id, result.status == "created"
            done = visit_record(actor=w.volunteer, data=data)
            return str(done.visit.pk), done.created
        finally:
            connection.close()

    with ThreadPoolExecutor(parallel) as pool:
        outcomes = list(pool.map(send, range(parallel)))
    assert {pk for pk, _created in outcomes} == {str(data.id)}
    assert sum(created for _pk, created in outcomes) == 1
    assert Visit.objects.filter(pk=data.id).count() == 1
    assert VisitActivity.objects.filter(visit_id=data.id).count() == 2


def test_a_runaway_sender_is_stopped_without_storing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hocvuso.community import visits
    from hocvuso.community.errors import TooManyVisits

    monkeypatch.setattr(visits, "MAX_VISITS_PER_HOUR", 3)
    visits_sync(actor=world.volunteer, batch=[visit_data(world.team) for _ in range(2)])
    with pytest.raises(TooManyVisits, match="Quá nhiều"):
        visits_sync(
            actor=world.volunteer, batch=[visit_data(world.team) for _ in range(2)]
        )
    assert Visit.objects.count() == 2


def test_the_same_visit_twice_in_one_batch_is_stored_once(world: World) -> None:
    data = visit_data(world.team)
    report = visits_sync(actor=world.volunteer, batch=[data, data])
    assert [r.status for r in report.results] == ["created", "duplicate"]
    assert Visit.objects.count() == 1
