from __future__ import annotations

from django.contrib import admin

from hocvuso.community.models import (
    Attendance,
    AttendanceCode,
    Event,
    EventRegistration,
    Team,
    TeamMember,
)


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


class EventRegistrationInline(admin.TabularInline[EventRegistration, Event]):
    model = EventRegistration
    extra = 0
    raw_id_fields = ("user", "registered_by")
    readonly_fields = ("status", "queued_at", "promoted_at", "cancelled_at")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    list_display = ("title", "kind", "commune", "starts_at", "status", "capacity")
    list_filter = ("kind", "status")
    search_fields = ("title", "venue")
    date_hierarchy = "starts_at"
    raw_id_fields = ("commune", "organiser_team", "created_by")
    inlines = (EventRegistrationInline,)


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin[Attendance]):
    list_display = ("event", "user", "checked_in_at", "was_registered", "method")
    list_filter = ("method", "was_registered")
    raw_id_fields = ("event", "user", "recorded_by")


@admin.register(AttendanceCode)
class AttendanceCodeAdmin(admin.ModelAdmin[AttendanceCode]):
    list_display = ("code", "user", "created_at")
    search_fields = ("code",)
    raw_id_fields = ("user",)
