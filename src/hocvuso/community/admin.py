from __future__ import annotations

from django.contrib import admin

from hocvuso.community.models import AmbassadorCard, Invitation, Team, TeamMember, Visit


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


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ("code", "team", "role", "uses", "max_uses", "expires_at")
    raw_id_fields = ("team", "created_by")


@admin.register(AmbassadorCard)
class AmbassadorCardAdmin(admin.ModelAdmin[AmbassadorCard]):
    list_display = ("display_name", "member", "published")
    raw_id_fields = ("member",)


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin[Visit]):
    list_display = ("visited_at", "team", "hamlet", "people_helped")
    list_filter = ("visited_at",)
    raw_id_fields = ("team", "commune", "volunteer", "followup_done_by")
