"""Supervised sittings: an officer opens a session, learners join with its code."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import Role, User
from hocvuso.accounts.permissions import has_role
from hocvuso.assessment.errors import (
    NotAllowed,
    SupervisionInvalid,
    SupervisionUnavailable,
)
from hocvuso.assessment.models import SupervisionSession
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
