"""Content editors see what people ask, what the pack cannot answer, and reports."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from hocvuso.assistant.models import AnswerReport, QuestionLog, SynonymTable


@admin.register(AnswerReport)
class AnswerReportAdmin(admin.ModelAdmin[AnswerReport]):
    list_display = ("created_at", "reason", "question", "resolved")
    list_filter = ("reason", "resolved")
    search_fields = ("question",)
    readonly_fields = ("log", "reason", "question", "answer", "citations", "created_at")
    fields = ("created_at", "reason", "question", "answer", "citations", "resolved")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(QuestionLog)
class QuestionLogAdmin(admin.ModelAdmin[QuestionLog]):
    list_display = ("created_at", "question", "confident", "mode", "lang")
    list_filter = ("confident", "mode", "lang")
    search_fields = ("question",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: QuestionLog | None = None
    ) -> bool:
        return False


@admin.register(SynonymTable)
class SynonymTableAdmin(admin.ModelAdmin[SynonymTable]):
    list_display = ("pack", "updated_at")
    readonly_fields = ("pack", "groups")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
