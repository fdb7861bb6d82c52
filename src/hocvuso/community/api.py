"""Community API: the offline visit queue's sync endpoint.

``POST /api/community/visits/sync`` takes a batch of visits, each with the
id the phone gave it, and answers one status per visit: ``created``,
``duplicate`` (already stored: the phone can forget it) or ``error`` with
the HTTP status and message of the refusal. The session cookie signs the
request in, so the CSRF token is required (``X-CSRFToken`` header), as for
any same-origin form.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from hocvuso.accounts.api_auth import session_or_token
from hocvuso.accounts.models import User
from hocvuso.community.visits import MAX_BATCH, VisitData, visits_sync

router = Router(auth=session_or_token)


class VisitIn(Schema):
    id: uuid.UUID
    team: uuid.UUID
    visited_at: datetime
    hamlet: str = Field(max_length=200)
    people_helped: int
    activities: list[str] = Field(default_factory=list, max_length=20)
    followup_what: str = Field(default="", max_length=200)
    followup_due: date | None = None
    note: str = Field(default="", max_length=2000)


class SyncIn(Schema):
    visits: list[VisitIn] = Field(max_length=MAX_BATCH)


class VisitStatusOut(Schema):
    id: str
    status: str
    http_status: int
    detail: str


class SyncOut(Schema):
    results: list[VisitStatusOut]


@router.post(
    "/visits/sync", response=SyncOut, summary="Send household visits made offline"
)
def visits_sync_api(request: HttpRequest, payload: SyncIn) -> SyncOut:
    """A helper's phone sends up to 200 household visits at once, each with the id the
    phone gave it; the answer gives one status per visit (`created`, `duplicate` or
    `error` with the reason). A visit sent again is stored once. Needs a sign-in
    (session with `X-CSRFToken`, or a token with `write`).

    Example: `POST /api/community/visits/sync` with `{"visits": [{"id": "…",
    "team": "…", "visited_at": "2026-10-10T09:30:00+07:00", "hamlet": "Ấp 3",
    "people_helped": 2, "activities": ["vneid"]}]}`
    """
    user = request.user
    assert isinstance(user, User)
    report = visits_sync(
        actor=user,
        batch=[
            VisitData(
                id=v.id,
                team_id=v.team,
                visited_at=v.visited_at,
                hamlet=v.hamlet,
                people_helped=v.people_helped,
                activities=v.activities,
                followup_what=v.followup_what,
                followup_due=v.followup_due,
                note=v.note,
            )
            for v in payload.visits
        ],
    )
    return SyncOut(
        results=[
            VisitStatusOut(
                id=r.id, status=r.status, http_status=r.http_status, detail=r.detail
            )
            for r in report.results
        ]
    )
