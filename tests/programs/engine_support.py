"""Rows the computations count, written directly (dates chosen by the test)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.factories import learner_in, user_with_role

from hocvuso.accounts.models import Role, User
from hocvuso.assessment.models import Blueprint, Result, TestSession
from hocvuso.community.models import Attendance, Event, Team, Visit
from hocvuso.credentials.models import Confirmation
from hocvuso.framework.models import Level, TargetGroup
from hocvuso.geo.models import Commune
from hocvuso.learning.models import Course, Lesson, LessonProgress
from hocvuso.packs.models import ContentPack
from hocvuso.programs.access import UnitRef
from hocvuso.programs.figures import figures
from hocvuso.programs.models import Indicator

VN = ZoneInfo("Asia/Ho_Chi_Minh")
COMMUNE = 30178  # Xã Mỹ An Hưng, Đồng Tháp (82)
OTHER = 29954  # An Bình, Đồng Tháp
HANOI = 70  # Phường Hoàn Kiếm, Hà Nội (1)


def at(year: int, month: int, day: int = 10, hour: int = 9) -> datetime:
    """Return a local (Vietnam) instant."""
    return datetime(year, month, day, hour, tzinfo=VN)


def result_row(
    blueprint: Blueprint,
    user: User,
    when: datetime,
    *,
    group: str = "adults",
    passed: bool = True,
    changed: datetime | None = None,
) -> Result:
    session = TestSession.objects.create(
        user=user,
        blueprint=blueprint,
        status=TestSession.Status.COMPLETED,
        seed=1,
        started_at=when,
        expires_at=when,
        finished_at=when,
    )
    tg = TargetGroup.objects.get(slug=group)
    result = Result.objects.create(
        session=session,
        user=user,
        target_group=tg,
        framework=tg.framework,
        theta=0.5,
        se=0.3,
        passed=passed,
        supervised=True,
        n_items=20,
        stop_reason="completed",
    )
    Result.objects.filter(pk=result.pk).update(
        created_at=when, updated_at=changed or when
    )
    result.refresh_from_db()
    return result


def confirm_row(
    result: Result,
    when: datetime,
    *,
    revoked: datetime | None = None,
    changed: datetime | None = None,
) -> Confirmation:
    confirmation = Confirmation.objects.create(
        result=result,
        method=Confirmation.Method.AUTOMATIC,
        confirmed_at=when,
        evidence={"schema_version": 1},
        revoked_at=revoked,
    )
    Confirmation.objects.filter(pk=confirmation.pk).update(
        created_at=changed or when, updated_at=changed or revoked or when
    )
    return confirmation


def team_in(code: int) -> Team:
    found = Team.objects.filter(commune_id=code).first()
    if found is not None:
        return found
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=code)
    return Team.objects.create(
        commune=Commune.objects.get(code=code),
        name="Tổ công nghệ số",
        kind="community_tech",
        created_by=officer,
    )


def visit_row(
    team: Team,
    volunteer: User,
    when: datetime,
    people: int,
    changed: datetime | None = None,
) -> Visit:
    visit = Visit.objects.create(
        team=team,
        commune_id=team.commune_id,
        volunteer=volunteer,
        visited_at=when,
        hamlet="Ấp 1",
        people_helped=people,
    )
    Visit.objects.filter(pk=visit.pk).update(
        created_at=changed or when, updated_at=changed or when
    )
    return visit


def event_in(code: int, when: datetime) -> Event:
    return Event.objects.create(
        kind="class",
        title="Lớp học",
        venue="Nhà văn hoá",
        commune=Commune.objects.get(code=code),
        starts_at=when,
        ends_at=when + timedelta(hours=2),
        capacity=50,
    )


def attend_row(event: Event, user: User, when: datetime) -> Attendance:
    row = Attendance.objects.create(
        event=event,
        user=user,
        checked_in_at=when,
        was_registered=False,
        method="screen_qr",
    )
    Attendance.objects.filter(pk=row.pk).update(created_at=when, updated_at=when)
    return row


def lesson(slug: str) -> Lesson:
    pack = ContentPack.objects.first()
    assert pack is not None
    course, _ = Course.objects.get_or_create(
        slug="engine-test", defaults={"pack": pack, "title_vi": "Khoá thử"}
    )
    level = Level.objects.order_by("number").first()
    assert level is not None
    found, _ = Lesson.objects.get_or_create(
        slug=slug,
        defaults={
            "course": course,
            "title_vi": slug,
            "html_vi": "<p>x</p>",
            "level": level,
        },
    )
    return found


def complete_row(user: User, item: Lesson, when: datetime) -> LessonProgress:
    row = LessonProgress.objects.create(
        user=user, lesson=item, completed_at=when, last_seen_at=when
    )
    LessonProgress.objects.filter(pk=row.pk).update(created_at=when, updated_at=when)
    return row


def learner(code: int = COMMUNE, group: str = "adults") -> User:
    return learner_in(code, target_group=TargetGroup.objects.get(slug=group))


@dataclass(frozen=True)
class Reader:
    """Read one figure's numerator from the facts through ``figures()``."""

    year: int

    def __call__(self, code: str, unit: UnitRef, month: int, group: str = "") -> float:
        ind = Indicator.objects.get(indicator_set__active=True, code=code)
        rows = figures(
            units=[unit], year=self.year, month=month, indicators=[ind], groups=[group]
        )
        return rows[0].numerator
