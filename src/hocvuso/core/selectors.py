from __future__ import annotations

from django.db.models import QuerySet

from hocvuso.core.models import AuditLog


def audit_log_list(*, action: str = "", object_type: str = "") -> QuerySet[AuditLog]:
    """Return audit entries, newest first, with their actor loaded."""
    qs = AuditLog.objects.select_related("actor")
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    return qs


def audit_log_for_object(*, object_type: str, object_id: str) -> QuerySet[AuditLog]:
    """Return the history of one object, newest first."""
    return audit_log_list(object_type=object_type).filter(object_id=object_id)
