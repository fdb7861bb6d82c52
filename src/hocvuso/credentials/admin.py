"""Read-mostly admin of confirmations and certificates; revoking goes through
the service (with a reason, audited, scoped to the officer's unit)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts.models import User
from hocvuso.credentials import services
from hocvuso.credentials.errors import CredentialsError
from hocvuso.credentials.models import Certificate, CertificateVersion, Confirmation
from hocvuso.credentials.outbox import admin as outbox_admin  # noqa: F401 (registers)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _revoke(
    modeladmin: admin.ModelAdmin,  # type: ignore[type-arg]
    request: HttpRequest,
    queryset: QuerySet[Any],
    confirmation_ids: list[str],
) -> HttpResponse | None:
    """Ask for a reason, then revoke each selected confirmation (via the service)."""
    form = RevokeForm(request.POST if "reason" in request.POST else None)
    if form.is_valid():
        actor = request.user
        assert isinstance(actor, User)
        done = 0
        for cid in confirmation_ids:
            try:
                services.confirmation_revoke(
                    actor=actor, confirmation_id=cid, reason=form.cleaned_data["reason"]
                )
                done += 1
            except CredentialsError as exc:
                modeladmin.message_user(request, exc.message, messages.ERROR)
        modeladmin.message_user(request, _("Revoked: %(n)d.") % {"n": done})
        return None
    return TemplateResponse(
        request,
        "admin/credentials/revoke.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Revoke"),
            "form": form,
            "objects": list(queryset),
            "action": request.POST.get("action", ""),
            "opts": modeladmin.model._meta,
        },
    )


class VersionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CertificateVersion
    extra = 0
    can_delete = False
    readonly_fields = (
        "version",
        "name_on_certificate",
        "language",
        "issued_at",
        "issued_by",
        "reason",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Confirmation)
class ConfirmationAdmin(ReadOnlyAdmin):
    list_display = ("result", "method", "confirmed_at", "confirmed_by", "revoked_at")
    list_filter = ("method", ("revoked_at", admin.EmptyFieldListFilter))
    readonly_fields = (
        "result",
        "method",
        "confirmed_by",
        "confirmed_at",
        "evidence",
        "revoked_at",
        "revoked_by",
        "revoked_reason",
    )
    actions = ["revoke"]

    @admin.action(description=_("Revoke (a reason is asked)"))
    def revoke(
        self, request: HttpRequest, queryset: QuerySet[Confirmation]
    ) -> HttpResponse | None:
        return _revoke(self, request, queryset, [str(c.pk) for c in queryset])


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_on_certificate", "version", "issued_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "language")
    search_fields = ("code",)
    readonly_fields = (
        "code",
        "confirmation",
        "status_index",
        "version",
        "name_on_certificate",
        "language",
        "issued_at",
        "revoked_at",
        "revoked_reason",
        "credential",
    )
    inlines = [VersionInline]
    actions = ["revoke"]

    @admin.action(description=_("Revoke (a reason is asked)"))
    def revoke(
        self, request: HttpRequest, queryset: QuerySet[Certificate]
    ) -> HttpResponse | None:
        ids = [str(c.confirmation_id) for c in queryset if c.revoked_at is None]
        return _revoke(self, request, queryset, ids)
