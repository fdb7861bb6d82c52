"""Reads of the assistant: a learner's own recent conversation."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from hocvuso.assistant.models import ConversationTurn


def conversation_for(
    user: AbstractBaseUser | AnonymousUser,
    *,
    now: datetime | None = None,
    limit: int = 20,
) -> QuerySet[ConversationTurn]:
    """Return the user's own turns of the keep period, newest first.

    An anonymous visitor has none.
    """
    if not user.is_authenticated:
        return ConversationTurn.objects.none()
    cutoff = (now or timezone.now()) - timedelta(
        days=int(settings.HOCVUSO_ASSISTANT_KEEP_DAYS)
    )
    return ConversationTurn.objects.filter(user_id=user.pk, asked_at__gte=cutoff)[
        :limit
    ]
