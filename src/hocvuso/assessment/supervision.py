"""Supervised sittings: an officer opens a session, learners join with its code."""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import Role, User
from hocvuso.accounts.permissions import has_role, user_roles
from hocvuso.assessment.errors import (
    NotAllowed,
    SessionNotFound,
    SupervisionInvalid,
    SupervisionUnavailable,
)
from hocvuso.assessment.models import Result, SupervisionSession, TestSession
from hocvuso.assessment.signals import id_card_checked
from hocvuso.core.services import audit_record

logger = logging.getLogger(__name__)
_SYSTEM_RANDOM = random.SystemRandom()

_SUPERVISION_CODE_TRIES = 5


@transaction.atomic
def supervision_open(
    *,
    actor: User,
    place: str = "",
    minutes: int = 240,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> SupervisionSession:
    """Open a supervised sitting; learners enter its code to start their test.

    The six-digit code is drawn from ``rng`` (the system's secure generator by
    default) and inserted under a savepoint: a code that is taken (the unique
    constraint decides, so two officers cannot get the same code) is drawn
    again, and after five taken codes ``SupervisionUnavailable`` is raised
    with nothing written.
    """
    if not has_role(actor, Role.COMMUNE_OFFICER, Role.COMMUNITY_HELPER):
        raise NotAllowed(_("Only commune officers and helpers can supervise tests."))
    now = now or timezone.now()
    rng = rng or _SYSTEM_RANDOM
    commune = next(
        (r.commune for r in actor.roles.select_related("commune") if r.commune), None
    )
    for _attempt in range(_SUPERVISION_CODE_TRIES):
        try:
            with transaction.atomic():
                sup = SupervisionSession.objects.create(
                    code=f"{rng.randrange(10**6):06d}",
                    opened_by=actor,
                    commune=commune,
                    place=place[:200],
                    expires_at=now + timedelta(minutes=max(15, min(minutes, 720))),
                )
        except IntegrityError:
            continue
        audit_record(actor=actor, action="supervision.open", obj=sup)
        return sup
    logger.error("no free supervision code after %d tries", _SUPERVISION_CODE_TRIES)
    raise SupervisionUnavailable(
        _("No supervision code is free right now. Please try again in a moment.")
    )


def supervision_for_code(code: str, now: datetime) -> SupervisionSession | None:
    """Return the open supervision a code names (None for no code).

    Raises ``SupervisionInvalid`` for a code that is unknown, closed or expired.
    """
    code = code.strip()
    if not code:
        return None
    sup = SupervisionSession.objects.filter(
        code=code, closed_at__isnull=True, expires_at__gt=now
    ).first()
    if sup is None:
        raise SupervisionInvalid(
            _("This supervision code is not valid or has expired.")
        )
    return sup


def supervision_can_manage(user: User, sup: SupervisionSession) -> bool:
    """Return whether ``user`` may act on the sittings of ``sup``.

    The supervisor who opened it may, and so may a commune officer of the
    commune it was held in; nobody else (not an officer of another commune).
    """
    if not user.is_authenticated:
        return False
    if sup.opened_by_id == user.pk:
        return True
    return sup.commune_id is not None and any(
        r.role == Role.COMMUNE_OFFICER and r.commune_id == sup.commune_id
        for r in user_roles(user)
    )


def supervision_list(*, actor: User) -> QuerySet[SupervisionSession]:
    """Return the supervised sittings ``actor`` opened, newest first."""
    return SupervisionSession.objects.filter(opened_by=actor).order_by("-created_at")


@dataclass(frozen=True)
class SupervisionOverview:
    """A supervisor's sittings: those learners can still join, and the past ones.

    Each ``SupervisionSession`` carries ``n_sat`` (learners who started a test
    in it) and ``n_passed`` (of them, those who passed).
    """

    open: list[SupervisionSession]
    past: list[SupervisionSession]


def supervision_overview(
    *, actor: User, now: datetime | None = None, past_limit: int = 30
) -> SupervisionOverview:
    """Return the sittings ``actor`` opened, open ones first, with their counts."""
    now = now or timezone.now()
    qs = (
        supervision_list(actor=actor)
        .select_related("commune")
        .annotate(
            n_sat=Count("sessions", distinct=True),
            n_passed=Count(
                "sessions", filter=Q(sessions__result__passed=True), distinct=True
            ),
        )
    )
    is_open = Q(closed_at__isnull=True, expires_at__gt=now)
    return SupervisionOverview(
        open=list(qs.filter(is_open)),
        past=list(qs.exclude(is_open)[:past_limit]),
    )


def supervision_is_open(sup: SupervisionSession, now: datetime | None = None) -> bool:
    """Return whether learners can still join ``sup`` with its code."""
    return sup.closed_at is None and sup.expires_at > (now or timezone.now())


def supervision_get(*, actor: User, supervision_id: str) -> SupervisionSession:
    """Return a supervision ``actor`` may manage; raise ``NotAllowed`` otherwise."""
    try:
        pk = uuid.UUID(str(supervision_id))
    except ValueError:
        pk = None
    sup = (
        SupervisionSession.objects.select_related("commune").filter(pk=pk).first()
        if pk
        else None
    )
    if sup is None or not supervision_can_manage(actor, sup):
        raise NotAllowed(_("You cannot manage this supervised sitting."))
    return sup


def supervision_sittings(*, sup: SupervisionSession) -> QuerySet[TestSession]:
    """Return the learners' sittings of ``sup`` with their learner and result."""
    return (
        TestSession.objects.filter(supervision=sup)
        .select_related("user", "blueprint__target_group", "result__level")
        .order_by("started_at")
    )


@transaction.atomic
def sitting_id_card_check(
    *, actor: User, session_id: str, now: datetime | None = None
) -> TestSession:
    """Record that ``actor`` checked the learner's citizen ID card in person.

    Only the sitting's supervisor (or an officer of its commune) may. The
    card's number is not recorded, only who checked and when. Idempotent: a
    second check keeps the first one. After commit ``id_card_checked`` is
    sent, so a result already recorded can be confirmed.
    """
    try:
        pk = uuid.UUID(str(session_id))
    except ValueError as exc:
        raise SessionNotFound(_("This sitting does not exist.")) from exc
    session = (
        TestSession.objects.select_for_update(of=("self",))
        .select_related("supervision")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise SessionNotFound(_("This sitting does not exist."))
    if session.supervision is None or not supervision_can_manage(
        actor, session.supervision
    ):
        raise NotAllowed(_("Only the supervisor of this sitting can record this."))
    if session.id_card_checked_at is None:
        session.id_card_checked_by = actor
        session.id_card_checked_at = now or timezone.now()
        session.save(update_fields=["id_card_checked_by", "id_card_checked_at"])
        audit_record(
            actor=actor,
            action="sitting.id_card_check",
            obj=session,
            after={"checked_at": session.id_card_checked_at.isoformat()},
        )
        sid = str(session.pk)
        result = Result.objects.filter(session_id=session.pk).only("pk").first()
        rid = str(result.pk) if result else None
        transaction.on_commit(
            lambda: id_card_checked.send(
                sender=TestSession, session_id=sid, result_id=rid
            )
        )
    return session
