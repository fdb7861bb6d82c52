"""Synthetic data at scale for the programs dashboards and their benchmark.

``demo_spread(learners=N, rng=…)`` spreads N demo learners over all 3,321
communes with results of the standard assessment of their group, confirmations
(some revoked), lessons completed, household visits by a demo team per commune
and event attendance. Everything is written with bulk INSERTs (timestamps set
explicitly, never row by row), and every random choice comes from the numpy
``Generator`` passed in, so a seed gives the same data.

Demo data is marked: user names start with :data:`DEMO_PREFIX`, names with
"Dữ liệu mẫu", teams and events are titled "[Dữ liệu mẫu]". It is refused on a
database that has real learners (profiles of other users) unless ``force``.
Accounts get an unusable password: nobody signs in as a demo learner.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

from hocvuso.accounts.models import LearnerProfile, User
from hocvuso.assessment.models import Blueprint, Result, TestSession
from hocvuso.community.models import Attendance, Event, Team, Visit
from hocvuso.credentials.models import Confirmation
from hocvuso.geo.models import Commune
from hocvuso.learning.models import Lesson, LessonProgress

DEMO_PREFIX = "demo-"
DEMO_NAME = "Dữ liệu mẫu"
DEMO_TITLE = f"[{DEMO_NAME}]"
BATCH = 5000
# Share of learners per group (adults first), roughly the movement's mix.
GROUP_WEIGHTS = {
    "adults": 0.40,
    "farmers": 0.15,
    "workers": 0.12,
    "students": 0.12,
    "civil_servants": 0.07,
    "youth": 0.06,
    "union_members": 0.04,
    "leaders": 0.02,
    "teachers": 0.02,
}


class DemoRefused(Exception):
    """The database is not fit for demo data (real learners, or not ready)."""


@dataclass
class SpreadReport:
    learners: int = 0
    results: int = 0
    confirmations: int = 0
    revoked: int = 0
    lessons: int = 0
    visits: int = 0
    events: int = 0
    attendance: int = 0
    skipped: dict[str, str] = field(default_factory=dict)


@contextmanager
def _explicit_timestamps(*models_: type[models.Model]) -> Iterator[None]:
    """Let bulk INSERTs keep the timestamps given (auto_now off meanwhile)."""
    saved: list[tuple[models.DateTimeField[datetime, datetime], bool, bool]] = []
    for model in models_:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


def real_learners() -> int:
    """Return how many learner profiles belong to users that are not demo users."""
    return (
        LearnerProfile.objects.exclude(user__username__startswith=DEMO_PREFIX)
        .only("pk")
        .count()
    )


def _moments(
    rng: np.random.Generator, n: int, start: datetime, end: datetime
) -> list[datetime]:
    span = (end - start).total_seconds()
    offsets = np.sort(rng.random(n)) * span
    rng.shuffle(offsets)
    return [start + timedelta(seconds=float(s)) for s in offsets]


def demo_results_add(
    *,
    users: Sequence[tuple[uuid.UUID, str]],
    rng: np.random.Generator,
    start: datetime,
    end: datetime,
    report: SpreadReport,
) -> list[uuid.UUID]:
    """Write one standard-assessment result per ``(user id, group)`` (bulk).

    Passes in supervised sittings are confirmed a day later (85 %), 3 % of
    confirmations are revoked a month after. Returns the result ids.
    """
    blueprints = {
        bp.target_group.slug: bp
        for bp in Blueprint.objects.select_related("target_group__framework")
    }
    if not blueprints:
        raise DemoRefused("no assessment blueprints: run `hocvuso init` first")
    fallback = blueprints.get("adults") or next(iter(blueprints.values()))
    when = _moments(rng, len(users), start, end)
    passed = rng.random(len(users)) < 0.62
    supervised = rng.random(len(users)) < 0.55
    confirm = rng.random(len(users)) < 0.85
    revoke = rng.random(len(users)) < 0.03
    theta = rng.normal(0.3, 1.0, len(users))
    sessions: list[TestSession] = []
    results: list[Result] = []
    confirmations: list[Confirmation] = []
    for i, (user_id, group) in enumerate(users):
        bp = blueprints.get(group, fallback)
        sid = uuid.uuid4()
        t = when[i]
        sessions.append(
            TestSession(
                id=sid,
                user_id=user_id,
                blueprint=bp,
                status=TestSession.Status.COMPLETED,
                seed=int(i),
                started_at=t - timedelta(minutes=25),
                expires_at=t + timedelta(minutes=15),
                finished_at=t,
                created_at=t,
                updated_at=t,
            )
        )
        rid = uuid.uuid4()
        results.append(
            Result(
                id=rid,
                session_id=sid,
                user_id=user_id,
                target_group=bp.target_group,
                framework=bp.target_group.framework,
                theta=float(theta[i]),
                se=0.3,
                passed=bool(passed[i]),
                supervised=bool(supervised[i]),
                n_items=20,
                stop_reason="completed",
                created_at=t,
                updated_at=t,
            )
        )
        if passed[i] and supervised[i] and confirm[i]:
            at = t + timedelta(days=1)
            gone = at + timedelta(days=30) if revoke[i] else None
            confirmations.append(
                Confirmation(
                    result_id=rid,
                    method=Confirmation.Method.AUTOMATIC,
                    confirmed_at=at,
                    evidence={"schema_version": 1, "demo": True},
                    revoked_at=gone,
                    revoked_reason="Dữ liệu mẫu" if gone else "",
                    created_at=at,
                    updated_at=gone or at,
                )
            )
            report.revoked += gone is not None
    with _explicit_timestamps(TestSession, Result, Confirmation):
        TestSession.objects.bulk_create(sessions, batch_size=BATCH)
        Result.objects.bulk_create(results, batch_size=BATCH)
        Confirmation.objects.bulk_create(confirmations, batch_size=BATCH)
    report.results += len(results)
    report.confirmations += len(confirmations)
    return [r.id for r in results]


def _groups() -> dict[str, int]:
    model = apps.get_model("framework", "TargetGroup")
    return dict(model.objects.values_list("slug", "pk"))


@transaction.atomic
def demo_spread(
    *,
    learners: int,
    rng: np.random.Generator,
    now: datetime | None = None,
    force: bool = False,
    start: datetime | None = None,
) -> SpreadReport:
    """Write ``learners`` demo learners and their activity (see the module)."""
    if learners < 1:
        raise DemoRefused("--learners must be at least 1")
    if not force and real_learners():
        raise DemoRefused(
            "this database has real learners; demo data would mix with theirs "
            "(use --force to add it anyway)"
        )
    communes = list(Commune.objects.values_list("code", flat=True))
    groups = _groups()
    if not communes or not groups:
        raise DemoRefused("no communes or target groups: run `hocvuso init` first")
    now = now or timezone.now()
    start = start or now.replace(month=1, day=1, hour=0, minute=0) - timedelta(days=180)
    report = SpreadReport()
    slugs = [g for g in GROUP_WEIGHTS if g in groups] or sorted(groups)
    weights = np.array([GROUP_WEIGHTS.get(g, 0.01) for g in slugs])
    weights = weights / weights.sum()
    run = uuid.uuid4().hex[:6]
    home = rng.integers(0, len(communes), learners)
    group_of = rng.choice(len(slugs), size=learners, p=weights)
    joined = _moments(rng, learners, start, now)
    users: list[User] = []
    profiles: list[LearnerProfile] = []
    for i in range(learners):
        uid = uuid.uuid4()
        users.append(
            User(
                id=uid,
                username=f"{DEMO_PREFIX}{run}-{i}",
                full_name=f"{DEMO_NAME} {i + 1}",
                password="!demo",  # unusable: nobody signs in as a demo learner
                date_joined=joined[i],
            )
        )
        profiles.append(
            LearnerProfile(
                user_id=uid,
                birth_year=int(1950 + (i * 7919) % 55),
                target_group_id=groups[slugs[int(group_of[i])]],
                commune_id=communes[int(home[i])],
                created_at=joined[i],
                updated_at=joined[i],
            )
        )
    with _explicit_timestamps(LearnerProfile):
        User.objects.bulk_create(users, batch_size=BATCH)
        LearnerProfile.objects.bulk_create(profiles, batch_size=BATCH)
    report.learners = learners
    pairs = [(u.id, slugs[int(group_of[i])]) for i, u in enumerate(users)]
    takers = rng.random(learners) < 0.8
    demo_results_add(
        users=[p for p, take in zip(pairs, takers, strict=True) if take],
        rng=rng,
        start=start,
        end=now,
        report=report,
    )
    _lessons(users, joined, rng, now, report)
    _visits(users, home, communes, rng, start, now, report)
    _events(users, home, communes, rng, start, now, report)
    report.skipped["tasks"] = (
        "accountable tasks are not installed in this build"
        if not _has_model("programs", "Task")
        else "tasks are generated by the tasks app's own demo"
    )
    return report


def demo_analyze() -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL).

    Autovacuum would do it within minutes; right after millions of rows the
    planner still believes the tables are empty and picks poor plans.
    """
    if connection.vendor != "postgresql":
        return
    tables = [
        m._meta.db_table
        for m in (
            User,
            LearnerProfile,
            TestSession,
            Result,
            Confirmation,
            LessonProgress,
            Team,
            Visit,
            Event,
            Attendance,
        )
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')


def _has_model(app: str, name: str) -> bool:
    try:
        apps.get_model(app, name)
    except LookupError:
        return False
    return True


def _lessons(
    users: Sequence[User],
    joined: Sequence[datetime],
    rng: np.random.Generator,
    now: datetime,
    report: SpreadReport,
) -> None:
    lessons = list(Lesson.objects.filter(archived=False).values_list("pk", flat=True))
    if not lessons:
        report.skipped["lessons"] = "no lessons imported"
        return
    rows: list[LessonProgress] = []
    counts = rng.poisson(2.0, len(users))
    for i, user in enumerate(users):
        k = min(int(counts[i]), len(lessons))
        if not k:
            continue
        picked = rng.choice(len(lessons), size=k, replace=False)
        span = max((now - joined[i]).total_seconds(), 60.0)
        for j in picked:
            t = joined[i] + timedelta(seconds=float(rng.random() * span))
            rows.append(
                LessonProgress(
                    user_id=user.id,
                    lesson_id=lessons[int(j)],
                    completed_at=t,
                    seconds_spent=300,
                    last_seen_at=t,
                    created_at=t,
                    updated_at=t,
                )
            )
    with _explicit_timestamps(LessonProgress):
        LessonProgress.objects.bulk_create(rows, batch_size=BATCH)
    report.lessons = len(rows)


def _visits(
    users: Sequence[User],
    home: np.ndarray,
    communes: Sequence[int],
    rng: np.random.Generator,
    start: datetime,
    now: datetime,
    report: SpreadReport,
) -> None:
    volunteer: dict[int, uuid.UUID] = {}
    for i, user in enumerate(users):
        volunteer.setdefault(int(home[i]), user.id)
    teams = [
        Team(
            commune_id=communes[idx],
            name=f"{DEMO_TITLE} Tổ công nghệ số cộng đồng {uuid.uuid4().hex[:6]}",
            kind="community_tech",
            created_by_id=uid,
        )
        for idx, uid in sorted(volunteer.items())
    ]
    helpers = [uid for _idx, uid in sorted(volunteer.items())]
    Team.objects.bulk_create(teams, batch_size=BATCH)
    n = max(1, len(users) // 4)
    pick = rng.integers(0, len(teams), n)
    people = rng.integers(1, 6, n)
    when = _moments(rng, n, start, now)
    rows = [
        Visit(
            team=teams[int(pick[k])],
            commune_id=teams[int(pick[k])].commune_id,
            volunteer_id=helpers[int(pick[k])],
            visited_at=when[k],
            hamlet="Ấp 1",
            people_helped=int(people[k]),
            note=DEMO_TITLE,
            created_at=when[k],
            updated_at=when[k],
        )
        for k in range(n)
    ]
    with _explicit_timestamps(Visit):
        Visit.objects.bulk_create(rows, batch_size=BATCH)
    report.visits = len(rows)


def _events(
    users: Sequence[User],
    home: np.ndarray,
    communes: Sequence[int],
    rng: np.random.Generator,
    start: datetime,
    now: datetime,
    report: SpreadReport,
) -> None:
    by_commune: dict[int, list[uuid.UUID]] = {}
    for i, user in enumerate(users):
        by_commune.setdefault(int(home[i]), []).append(user.id)
    chosen = [c for c in sorted(by_commune) if rng.random() < 0.3] or sorted(
        by_commune
    )[:1]
    when = _moments(rng, len(chosen), start, now)
    events = [
        Event(
            kind="class",
            title=f"{DEMO_TITLE} Lớp kỹ năng số",
            venue="Nhà văn hoá",
            commune_id=communes[idx],
            starts_at=when[k],
            ends_at=when[k] + timedelta(hours=2),
            capacity=60,
            status="published",
            published_at=when[k],
            created_at=when[k],
            updated_at=when[k],
        )
        for k, idx in enumerate(chosen)
    ]
    with _explicit_timestamps(Event):
        Event.objects.bulk_create(events, batch_size=BATCH)
    rows: list[Attendance] = []
    for event, idx in zip(events, chosen, strict=True):
        people = by_commune[idx]
        k = min(len(people), int(rng.integers(1, 30)))
        for j in rng.choice(len(people), size=k, replace=False):
            t = event.starts_at + timedelta(minutes=float(rng.random() * 30))
            rows.append(
                Attendance(
                    event=event,
                    user_id=people[int(j)],
                    checked_in_at=t,
                    was_registered=False,
                    method="screen_qr",
                    created_at=t,
                    updated_at=t,
                )
            )
    with _explicit_timestamps(Attendance):
        Attendance.objects.bulk_create(rows, batch_size=BATCH)
    report.events = len(events)
    report.attendance = len(rows)
