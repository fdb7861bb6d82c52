"""Writes shared by every app: the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import models

from hocvuso.core.models import AuditLog

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditLog:
    """Append an audit entry for ``action`` by ``actor`` on ``obj``.

    Call it inside the service's transaction so that the change and its audit
    row commit (or roll back) together.
    """
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditLog.objects.create(
        actor_id=user.pk if user is not None else None,
        actor_label=str(user) if user is not None else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_label=str(obj)[:200],
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
    )


def model_snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """Return the JSON-friendly values of ``fields`` on ``obj``."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = str(value.pk)
        elif value is not None and not isinstance(value, str | int | float | bool):
            value = str(value)
        out[name] = value
    return out
