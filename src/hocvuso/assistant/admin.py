"""Content editors see what people ask, what the pack cannot answer, and reports.

Access follows the content editors' permission (``learning.edit_content``,
granted by their role), as for the content packs: they read questions and
reports and mark a report resolved; nobody adds or edits them by hand.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from hocvuso.assistant.models import AnswerReport, QuestionLog, SynonymTable

#: The permission of content editors (granted through their role).
EDIT = "learning.edit_content"


class _EditorsRead(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(EDIT)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm(EDIT)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AnswerReport)
class AnswerReportAdmin(_EditorsRead):
    list_display = ("created_at", "reason", "question", "resolved")
    list_filter = ("reason", "resolved")
    search_fields = ("question",)
    readonly_fields = ("created_at", "reason", "question", "answer", "citations")
    fields = ("created_at", "reason", "question", "answer", "citations", "resolved")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm(EDIT)  # to mark a report resolved


@admin.register(QuestionLog)
class QuestionLogAdmin(_EditorsRead):
    list_display = ("created_at", "question", "confident", "mode", "lang")
    list_filter = ("confident", "mode", "lang")
    search_fields = ("question",)
    date_hierarchy = "created_at"


@admin.register(SynonymTable)
class SynonymTableAdmin(_EditorsRead):
    list_display = ("pack", "updated_at")
