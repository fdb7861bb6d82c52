from __future__ import annotations

from django.contrib import admin

from hocvuso.community.models import Team, TeamMember


class TeamMemberInline(admin.TabularInline[TeamMember, Team]):
    model = TeamMember
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ("name", "kind", "commune", "archived_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("commune", "created_by")
    inlines = (TeamMemberInline,)
