"""Helpers acting for assisted learners: guidance grants and guided sessions.

A *guidance grant* lets a community helper (or commune officer) of the
learner's commune act for a person without a smartphone, with that person's
consent. While the helper *guides*, their browser session names the learner;
learning and assessment ask :func:`acting_for` (or :func:`acting_learner`)
whose progress to read and write instead of using ``request.user``.

Every request re-checks the grant: once it ends (the person claimed the
account, an officer or the person revoked it, the helper lost their role in
the commune) or the session sits idle longer than
``HOCVUSO_GUIDE_IDLE_MINUTES``, the guided session stops at once and the pages
act for the signed-in helper again. Starting and ending are audited; so is
every write done for the learner (by the apps that write).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.errors import PermissionDeniedError
from hocvuso.accounts.models import GuidanceGrant, LearnerProfile, Role, User
from hocvuso.accounts.permissions import user_roles
from hocvuso.core.services import audit_record
from hocvuso.geo.models import Commune

# The version of the text a helper reads to the person before guiding them.
GUIDANCE_CONSENT_VERSION = "2026-12-guidance"
SESSION_KEY = "hocvuso_guiding"
ENDED_KEY = "hocvuso_guiding_ended"
_REQUEST_ATTR = "_hocvuso_acting"
HELPER_ROLES = (Role.COMMUNITY_HELPER, Role.COMMUNE_OFFICER)


def _now() -> datetime:
    """Return the current time (tests travel in time with time-machine)."""
    return timezone.now()


def learner_commune(learner: User) -> Commune | None:
    profile = LearnerProfile.objects.filter(user=learner).select_related("commune")
    found = profile.first()
    return found.commune if found else None


def helps_in(user: User, commune_id: int | None) -> bool:
    """Return whether ``user`` is a helper or officer of that commune."""
    if commune_id is None:
        return False
    return any(
        a.role in HELPER_ROLES and a.commune_id == commune_id for a in user_roles(user)
    )


def officer_of(user: User, commune_id: int | None) -> bool:
    """Return whether ``user`` is a commune officer of that commune."""
    return commune_id is not None and any(
        a.role == Role.COMMUNE_OFFICER and a.commune_id == commune_id
        for a in user_roles(user)
    )


def grant_active(*, helper: User, learner: User) -> GuidanceGrant | None:
    """Return ``helper``'s open grant for ``learner``, if any."""
    return (
        GuidanceGrant.objects.filter(
            helper=helper, learner=learner, ended_at__isnull=True
        )
        .select_related("learner", "commune")
        .first()
    )


@transaction.atomic
def guidance_grant(
    *,
    actor: User,
    helper: User,
    learner: User,
    consent_given: bool,
    now: datetime | None = None,
) -> GuidanceGrant:
    """Let ``helper`` act for ``learner``; idempotent (an open grant is returned).

    The helper must help in the learner's commune. ``actor`` is the helper
    themselves when they registered the learner, otherwise a commune officer
    of that commune. ``consent_given`` says the learner agreed to the guidance
    text (``GUIDANCE_CONSENT_VERSION``) read to them by ``actor``.
    """
    if not consent_given:
        raise PermissionDeniedError(
            _("The person must agree before someone can help them in their account.")
        )
    if helper.pk == learner.pk:
        raise PermissionDeniedError(_("A person cannot guide themselves."))
    commune = learner_commune(learner)
    commune_id = commune.pk if commune else None
    if not helps_in(helper, commune_id):
        raise PermissionDeniedError(
            _("Only helpers of the person's commune can guide them.")
        )
    # The registering helper grants themselves once, at registration; after
    # that grant has ended only an officer can give it again.
    registered_it = (
        actor.pk == helper.pk
        and learner.registered_by_id == helper.pk
        and not GuidanceGrant.objects.filter(
            helper=helper, learner=learner, ended_at__isnull=False
        ).exists()
    )
    if not (registered_it or officer_of(actor, commune_id)):
        raise PermissionDeniedError(
            _("Only a commune officer can let another helper guide this person.")
        )
    existing = grant_active(helper=helper, learner=learner)
    if existing is not None:
        return existing
    assert commune is not None
    try:
        with transaction.atomic():
            grant = GuidanceGrant.objects.create(
                helper=helper,
                learner=learner,
                commune=commune,
                granted_by=actor,
                consent_version=GUIDANCE_CONSENT_VERSION,
                consent_recorded_by=actor,
                started_at=now or _now(),
            )
    except IntegrityError:
        found = grant_active(helper=helper, learner=learner)
        assert found is not None
        return found
    audit_record(
        actor=actor,
        action="guidance.grant",
        obj=learner,
        after={
            "grant": str(grant.pk),
            "helper": str(helper.pk),
            "consent_version": GUIDANCE_CONSENT_VERSION,
        },
    )
    return grant


@transaction.atomic
def guidance_end(
    *,
    actor: User | None,
    grant: GuidanceGrant,
    reason: str,
    now: datetime | None = None,
) -> GuidanceGrant:
    """End a grant (idempotent). The learner, an officer of the commune or the
    system (``actor`` None, e.g. when the account is claimed) may end it.
    """
    locked = GuidanceGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.ended_at is not None:
        return locked
    if (
        actor is not None
        and actor.pk != locked.learner_id
        and not officer_of(actor, locked.commune_id)
    ):
        raise PermissionDeniedError(
            _("Only the person or a commune officer can end this help.")
        )
    locked.ended_at = now or _now()
    locked.end_reason = reason
    locked.ended_by = actor
    locked.save(update_fields=["ended_at", "end_reason", "ended_by", "updated_at"])
    audit_record(
        actor=actor,
        action="guidance.end",
        obj=locked.learner,
        after={"grant": str(locked.pk), "reason": reason},
    )
    return locked


def guidance_end_all(*, learner: User, reason: str, now: datetime) -> int:
    """End every open grant for ``learner`` (inside the caller's transaction)."""
    ended = 0
    for grant in GuidanceGrant.objects.filter(learner=learner, ended_at__isnull=True):
        guidance_end(actor=None, grant=grant, reason=reason, now=now)
        ended += 1
    return ended


@dataclass(frozen=True)
class Acting:
    """Whose learning a request reads and writes, and who is at the phone.

    ``helper`` is set while a helper guides ``learner``; otherwise ``learner``
    is the signed-in user themselves and ``helper`` is None.
    """

    learner: User
    helper: User | None = None
    grant_id: uuid.UUID | None = None

    @property
    def guided(self) -> bool:
        return self.helper is not None


@transaction.atomic
def guide_start(
    *, request: HttpRequest, learner: User, now: datetime | None = None
) -> GuidanceGrant:
    """Start guiding ``learner`` in this browser session (needs an open grant)."""
    helper = request.user
    assert isinstance(helper, User)
    grant = grant_active(helper=helper, learner=learner)
    if grant is None or not helps_in(helper, grant.commune_id):
        raise PermissionDeniedError(_("You may not guide this person."))
    now = now or _now()
    previous = request.session.get(SESSION_KEY)
    if previous:
        _session_end(request, reason="switched", now=now)
    request.session[SESSION_KEY] = {
        "grant": str(grant.pk),
        "learner": str(learner.pk),
        "started": now.timestamp(),
        "last": now.timestamp(),
    }
    audit_record(
        actor=helper,
        action="guide.start",
        obj=learner,
        after={"grant": str(grant.pk)},
    )
    setattr(request, _REQUEST_ATTR, Acting(learner, helper, grant.pk))
    return grant


def _session_end(request: HttpRequest, *, reason: str, now: datetime) -> None:
    data = request.session.pop(SESSION_KEY, None)
    if hasattr(request, _REQUEST_ATTR):
        delattr(request, _REQUEST_ATTR)
    if not data:
        return
    helper = request.user if isinstance(request.user, User) else None
    learner = User.objects.filter(pk=data.get("learner")).first()
    if learner is None:
        return
    minutes = max(0, int((now.timestamp() - float(data.get("started", 0))) // 60))
    audit_record(
        actor=helper,
        action="guide.end",
        obj=learner,
        after={"grant": data.get("grant"), "reason": reason, "minutes": minutes},
    )


@transaction.atomic
def guide_stop(
    *, request: HttpRequest, reason: str = "ended", now: datetime | None = None
) -> None:
    """End the guided session of this browser session, if any (audited)."""
    _session_end(request, reason=reason, now=now or _now())


def guide_stop_on_signout(
    sender: object, request: HttpRequest, **kwargs: object
) -> None:
    """End the guided session when the helper signs out (``user_logged_out``)."""
    if request is not None and SESSION_KEY in request.session:
        guide_stop(request=request, reason="signed_out")


def acting_for(request: HttpRequest, *, now: datetime | None = None) -> Acting | None:
    """Return whose learning this request acts on (None when signed out).

    Checked on every request and cached on it: a guided session whose grant
    has ended, whose helper no longer helps in the commune, or that sat idle
    too long ends here (audited) and the request acts for the signed-in user.
    """
    cached: Acting | None = getattr(request, _REQUEST_ATTR, None)
    if cached is not None:
        return cached
    user = request.user
    if isinstance(user, AnonymousUser) or not isinstance(user, User):
        return None
    acting = Acting(user)
    data = request.session.get(SESSION_KEY)
    if data:
        now = now or _now()
        idle = timedelta(minutes=int(settings.HOCVUSO_GUIDE_IDLE_MINUTES))
        grant = (
            GuidanceGrant.objects.filter(
                pk=data.get("grant"), helper=user, ended_at__isnull=True
            )
            .select_related("learner")
            .first()
        )
        reason = ""
        if grant is None:
            reason = "grant_ended"
        elif not helps_in(user, grant.commune_id):
            guidance_end(
                actor=None,
                grant=grant,
                reason=GuidanceGrant.EndReason.HELPER_LEFT,
                now=now,
            )
            reason = "helper_left"
        elif now.timestamp() - float(data.get("last", 0)) > idle.total_seconds():
            reason = "timeout"
        if reason:
            with transaction.atomic():
                _session_end(request, reason=reason, now=now)
            request.session[ENDED_KEY] = reason
        else:
            assert grant is not None
            data["last"] = now.timestamp()
            request.session[SESSION_KEY] = data
            acting = Acting(grant.learner, user, grant.pk)
    setattr(request, _REQUEST_ATTR, acting)
    return acting


def acting_learner(request: HttpRequest) -> User | None:
    """Return the learner whose progress this request reads and saves."""
    acting = acting_for(request)
    return acting.learner if acting else None
