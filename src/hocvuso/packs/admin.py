"""Admin for content packs: the list, and the upload for content editors."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hocvuso.packs.models import ContentPack, PackUpload
from hocvuso.packs.services import pack_publish
from hocvuso.packs.source import MAX_PACK_BYTES, PackSourceError
from hocvuso.packs.uploads import pack_upload_create

#: The permission of content editors (granted through their role).
EDIT = "learning.edit_content"


class PackUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Content pack (.zip)"),
        help_text=gettext_lazy("A zip of the pack folder, as described in the docs."),
    )
    force = forms.BooleanField(
        label=gettext_lazy("Re-import even if unchanged"), required=False
    )


@admin.register(ContentPack)
class ContentPackAdmin(admin.ModelAdmin[ContentPack]):
    list_display = ("slug", "version", "status", "framework_slug", "imported_at")
    list_filter = ("status",)
    change_list_template = "admin/packs/contentpack/change_list.html"
    actions = ("publish",)

    @admin.action(description=gettext_lazy("Publish (learners see it)"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ContentPack]) -> None:
        """Publish the selected draft packs (audited)."""
        if not request.user.has_perm(EDIT):
            raise PermissionDenied
        actor = request.user if request.user.is_authenticated else None
        for pack in queryset:
            pack_publish(slug=pack.slug, actor=actor)
        self.message_user(
            request,
            _("Published: %(packs)s.") % {"packs": ", ".join(p.slug for p in queryset)},
            messages.SUCCESS,
        )

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

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="packs_contentpack_upload"),
            path(
                "upload/<uuid:upload_id>/",
                view(self.upload_status_view),
                name="packs_contentpack_upload_status",
            ),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, title: str) -> dict[str, object]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
        }

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Store an uploaded zip and queue its import; show the recent uploads."""
        if not request.user.has_perm(EDIT):
            raise PermissionDenied
        form = PackUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_PACK_BYTES:
                    raise PackSourceError(_("The file is larger than 200 MB."))
                created = pack_upload_create(
                    actor=request.user if request.user.is_authenticated else None,
                    label=str(upload.name),
                    data=upload.read(),
                    force=form.cleaned_data["force"],
                )
            except PackSourceError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect(
                    "admin:packs_contentpack_upload_status", upload_id=created.id
                )
        context = self._context(request, _("Upload a content pack")) | {
            "form": form,
            "recent": PackUpload.objects.select_related("pack")[:10],
        }
        return TemplateResponse(request, "admin/packs/contentpack/upload.html", context)

    def upload_status_view(
        self, request: HttpRequest, upload_id: uuid.UUID
    ) -> HttpResponse:
        """Show how far an upload's import is; the page refreshes until it ends."""
        if not request.user.has_perm(EDIT):
            raise PermissionDenied
        upload = get_object_or_404(PackUpload, pk=upload_id)
        steps: list[str] = [
            PackUpload.Status.QUEUED,
            PackUpload.Status.CHECKING,
            PackUpload.Status.IMPORTING,
        ]
        reached = steps.index(upload.status) if upload.status in steps else len(steps)
        title = _("Content pack upload: %(file)s") % {"file": upload.label}
        context = self._context(request, title) | {
            "upload": upload,
            "steps": [
                (label, i < reached, i == reached)
                for i, label in enumerate(PackUpload.Status(s).label for s in steps)
            ],
            "counts": [
                (k.replace("_", " "), n) for k, n in sorted(upload.counts.items())
            ],
            "refresh_seconds": 2,
        }
        return TemplateResponse(
            request, "admin/packs/contentpack/upload_status.html", context
        )
