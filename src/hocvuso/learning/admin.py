"""Admin for content: read-only courses and lessons (packs bring them)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from hocvuso.learning.models import Course, Lesson

EDIT = "learning.edit_content"


class _EditorPermissions:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(EDIT)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm(EDIT)

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Course)
class CourseAdmin(_EditorPermissions, admin.ModelAdmin[Course]):
    list_display = ("slug", "title_vi", "order", "archived")
    list_filter = ("archived", "pack")


@admin.register(Lesson)
class LessonAdmin(_EditorPermissions, admin.ModelAdmin[Lesson]):
    list_display = ("slug", "title_vi", "course", "level", "minutes", "archived")
    list_filter = ("archived", "course", "level")
    search_fields = ("slug", "title_vi", "title_en")
    list_select_related = ("course", "level")
