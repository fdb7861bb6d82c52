from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import AuditLog, WorkerHeartbeat

admin.site.site_header = _("hocvuso administration")
admin.site.site_title = _("hocvuso administration")
admin.site.index_title = _("Manage the platform")


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin[AuditLog]):
    list_display = (
        "created_at",
        "actor_label",
        "action",
        "object_type",
        "object_label",
    )
    list_filter = ("action", "object_type")
    search_fields = ("action", "object_id", "actor_label", "object_label")
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: AuditLog | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: AuditLog | None = None
    ) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin[WorkerHeartbeat]):
    list_display = ("worker_id", "host", "pid", "queues", "started_at", "last_seen")
    readonly_fields = [f.name for f in WorkerHeartbeat._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: WorkerHeartbeat | None = None
    ) -> bool:
        return False
