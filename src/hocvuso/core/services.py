"""Writes shared by every app: the audit trail."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    row commit (or roll back) together. Labels are pseudonyms (see
    :func:`audit_label`), never a person's name or phone: the ids lead to the
    records for those allowed to open them.
    """
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditLog.objects.create(
        actor_id=user.pk if user is not None else None,
        actor_label=audit_label(user) if user is not None else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_label=audit_label(obj)[:200],
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
    )


def audit_label(obj: models.Model | AbstractBaseUser) -> str:
    """Return a label for an audit row that names no person.

    A model may offer ``audit_label`` (a course title, a certificate number);
    anything else is its type and the start of its id ("user 3f2a9c1d"), since
    ``str()`` of people, profiles and requests shows names or phone numbers.
    """
    own = getattr(obj, "audit_label", None)
    if isinstance(own, str):
        return own
    pk = obj.pk
    short = pk.hex[:8] if hasattr(pk, "hex") else str(pk)
    return f"{obj._meta.model_name} {short}"


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


SCRUBBED = "[đã xoá]"
# Fields that hold a person's own data wherever they appear in before/after.
PERSONAL_KEYS = frozenset(
    {
        "full_name",
        "username",
        "phone",
        "email",
        "birth_year",
        "message",
        "national_id_last4",
        "name",
    }
)


def _scrub(value: Any, identifiers: Sequence[str]) -> Any:
    if isinstance(value, str):
        for ident in identifiers:
            if ident and ident.lower() in value.lower():
                return SCRUBBED
        return value
    if isinstance(value, dict):
        return {
            k: SCRUBBED
            if k in PERSONAL_KEYS and v not in (None, "")
            else _scrub(v, identifiers)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub(v, identifiers) for v in value]
    return value


def audit_scrub_person(
    *, user_id: Any, object_ids: Sequence[str], identifiers: Sequence[str]
) -> int:
    """Erase a person's identifiers from the audit rows about them; return how many.

    Called when an account is anonymised (the right to deletion): rows the
    person made or that name their records keep what happened and when, but
    any before/after value holding their name, user name, phone or e-mail
    becomes ``[đã xoá]``, and labels become pseudonyms. Audit rows are
    otherwise never changed.
    """
    rows = AuditLog.objects.filter(
        models.Q(actor_id=user_id) | models.Q(object_id__in=list(object_ids))
    )
    changed = 0
    for row in rows.iterator():
        before = _scrub(row.before, identifiers)
        after = _scrub(row.after, identifiers)
        actor_label = row.actor_label
        if row.actor_id == user_id or _scrub(actor_label, identifiers) != actor_label:
            actor_label = f"user {str(user_id).replace('-', '')[:8]}"
        object_label = row.object_label
        if _scrub(object_label, identifiers) != object_label:
            object_label = f"{row.object_type.rsplit('.', 1)[-1]} {row.object_id[:8]}"
        if (before, after, actor_label, object_label) != (
            row.before,
            row.after,
            row.actor_label,
            row.object_label,
        ):
            AuditLog.objects.filter(pk=row.pk).update(
                before=before,
                after=after,
                actor_label=actor_label,
                object_label=object_label,
            )
            changed += 1
    return changed
