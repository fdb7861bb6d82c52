from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from hocvuso.accounts.models import (
    Consent,
    DataRequest,
    LearnerProfile,
    RoleAssignment,
    User,
)


class RoleInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ("commune", "province")
    exclude = ("granted_by",)


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ("username", "full_name", "is_active", "date_joined")
    search_fields = ("username", "full_name")
    ordering = ("-date_joined",)
    readonly_fields = (
        "national_id_last4",
        "anonymised_at",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (None, {"fields": ("username", "password", "full_name", "language")}),
        ("Contact", {"fields": ("phone", "email", "national_id_last4")}),
        (
            "Status",
            {"fields": ("is_active", "is_staff", "is_superuser", "anonymised_at")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2")}),)
    list_filter = ("is_active", "is_staff")
    filter_horizontal = ()
    inlines = (RoleInline,)


@admin.register(LearnerProfile)
class LearnerProfileAdmin(admin.ModelAdmin[LearnerProfile]):
    list_display = ("user", "target_group", "commune")
    list_select_related = ("user", "target_group", "commune__province")
    raw_id_fields = ("user", "commune")


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin[DataRequest]):
    list_display = ("created_at", "user", "kind", "status")
    list_filter = ("kind", "status")


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin[Consent]):
    list_display = ("user", "policy_version", "method", "given_at", "withdrawn_at")
    readonly_fields = (
        "user",
        "policy_version",
        "purposes",
        "method",
        "recorded_by",
        "given_at",
    )
