from __future__ import annotations

from django.contrib import admin

from hocvuso.framework.models import Competence, Domain, Framework, Level, TargetGroup


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin[Framework]):
    list_display = ("slug", "version", "title_vi", "locked", "created_at")
    readonly_fields = ("content_hash", "locked")


@admin.register(Competence)
class CompetenceAdmin(admin.ModelAdmin[Competence]):
    list_display = ("code", "name_vi", "name_en", "digcomp_ref", "framework")
    list_filter = ("framework",)


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin[TargetGroup]):
    list_display = ("slug", "name_vi", "required_level", "order")


admin.site.register(Domain)
admin.site.register(Level)
