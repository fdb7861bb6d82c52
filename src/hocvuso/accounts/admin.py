from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hocvuso.accounts.models import (
    ClaimCode,
    Consent,
    DataRequest,
    GuidanceGrant,
    LearnerProfile,
    OidcIdentity,
    RoleAssignment,
    User,
)
from hocvuso.accounts.services import role_assign, role_revoke, signin_limits_reset


class RoleInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ("commune", "province")
    exclude = ("granted_by",)


class OidcIdentityInline(admin.TabularInline[OidcIdentity, User]):
    """Identities at providers, read-only: links change through the audited pages."""

    model = OidcIdentity
    extra = 0
    fields = ("issuer", "subject", "level", "seen_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ("username", "full_name", "is_active", "date_joined")
    search_fields = ("username", "full_name")
    ordering = ("-date_joined",)
    readonly_fields = (
        "national_id_last4",
        "identity_level",
        "anonymised_at",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (None, {"fields": ("username", "password", "full_name", "language")}),
        ("Contact", {"fields": ("phone", "email", "national_id_last4")}),
        (
            "Status",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "identity_level",
                    "anonymised_at",
                )
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2")}),)
    list_filter = ("is_active", "is_staff")
    filter_horizontal = ()
    inlines = (RoleInline, OidcIdentityInline)
    actions = ("reset_signin_limits",)

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        """Grant and take roles through the audited services (they set "staff")."""
        if formset.model is not RoleAssignment:
            super().save_formset(request, form, formset, change)
            return
        actor = request.user
        assert isinstance(actor, User)
        for assignment in formset.save(commit=False):
            if assignment.pk and not assignment._state.adding:
                # An edited row is a revoke of the old role and a grant of the new.
                role_revoke(
                    actor=actor, assignment=RoleAssignment.objects.get(pk=assignment.pk)
                )
            role_assign(
                actor=actor,
                user=form.instance,
                role=assignment.role,
                province=assignment.province,
                commune=assignment.commune,
            )
        for assignment in formset.deleted_objects:
            role_revoke(actor=actor, assignment=assignment)

    @admin.action(
        description=gettext_lazy("Clear failed sign-ins"),
        permissions=("change",),
    )
    def reset_signin_limits(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> None:
        """Let the selected people sign in again at once (audited)."""
        actor = request.user if isinstance(request.user, User) else None
        for user in queryset:
            signin_limits_reset(actor=actor, user=user)
        self.message_user(
            request,
            _("Failed sign-ins cleared for %(count)d account(s).")
            % {"count": queryset.count()},
            messages.SUCCESS,
        )


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


@admin.register(GuidanceGrant)
class GuidanceGrantAdmin(admin.ModelAdmin[GuidanceGrant]):
    """Read-only: grants change through the pages, which audit them."""

    list_display = ("helper", "learner", "commune", "started_at", "end_reason")
    list_filter = ("end_reason",)
    search_fields = ("helper__full_name", "learner__full_name")
    list_select_related = ("helper", "learner", "commune")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: GuidanceGrant | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: GuidanceGrant | None = None
    ) -> bool:
        return False


@admin.register(ClaimCode)
class ClaimCodeAdmin(admin.ModelAdmin[ClaimCode]):
    """Read-only: the code itself is never stored, only its keyed hash."""

    list_display = ("learner", "expires_at", "used_at", "voided_at", "failed_checks")
    exclude = ("code_hash",)
    list_select_related = ("learner",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ClaimCode | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: ClaimCode | None = None
    ) -> bool:
        return False
