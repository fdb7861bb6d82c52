"""Admin for content packs: the list, and the upload for content editors."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hocvuso.packs.models import ContentPack, PackUpload
from hocvuso.packs.sections import CHANGES
from hocvuso.packs.services import PackPlan, pack_publish
from hocvuso.packs.source import MAX_PACK_BYTES, PackSourceError
from hocvuso.packs.uploads import (
    pack_upload_create,
    pack_upload_discard,
    pack_upload_hold,
    pack_upload_preview,
    pack_upload_release,
)

#: The permission of content editors (granted through their role).
EDIT = "learning.edit_content"

#: Headings of the preview's lists, by (kind, change).
CHANGE_LABELS = {
    ("course", "added"): gettext_lazy("Courses added"),
    ("course", "changed"): gettext_lazy("Courses changed"),
    ("course", "archived"): gettext_lazy("Courses archived (hidden, progress kept)"),
    ("lesson", "added"): gettext_lazy("Lessons added"),
    ("lesson", "changed"): gettext_lazy("Lessons changed"),
    ("lesson", "archived"): gettext_lazy("Lessons archived (hidden, progress kept)"),
    ("item", "added"): gettext_lazy("Exam items added"),
    ("item", "changed"): gettext_lazy("Exam items changed"),
    ("item", "archived"): gettext_lazy("Exam items retired"),
    ("blueprint", "added"): gettext_lazy("Assessment blueprints added"),
    ("blueprint", "changed"): gettext_lazy("Assessment blueprints changed"),
    ("blueprint", "archived"): gettext_lazy("Assessment blueprints removed"),
}


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
        actor = request.user if request.user.is_authenticated else None
        if request.method == "POST" and "held" in request.POST:
            return self._confirm(request, actor)
        form = PackUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_PACK_BYTES:
                    raise PackSourceError(_("The file is larger than 200 MB."))
                data = upload.read()
                plan = pack_upload_preview(data=data, label=str(upload.name))
                if plan is not None and (
                    not plan.unchanged or form.cleaned_data["force"]
                ):
                    # A new version of a pack this site has: show what it
                    # changes and import only once the editor confirms.
                    return self._preview(
                        request,
                        plan,
                        key=pack_upload_hold(data=data),
                        label=str(upload.name),
                        force=form.cleaned_data["force"],
                    )
                created = pack_upload_create(
                    actor=actor,
                    label=str(upload.name),
                    data=data,
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

    def _preview(
        self,
        request: HttpRequest,
        plan: PackPlan,
        *,
        key: uuid.UUID,
        label: str,
        force: bool,
    ) -> HttpResponse:
        """Show what a new version changes, with buttons to apply or cancel."""
        title = _("Check the changes of %(pack)s %(version)s") % {
            "pack": plan.pack_id,
            "version": plan.version,
        }
        groups = [
            (kind, change, plan.of(kind, change))
            for kind in ("course", "lesson", "item", "blueprint")
            for change in CHANGES
        ]
        context = self._context(request, title) | {
            "plan": plan,
            "groups": [
                (CHANGE_LABELS[(kind, change)], ids)
                for kind, change, ids in groups
                if ids
            ],
            "held": key,
            "label": label[:200],
            "force": force,
        }
        return TemplateResponse(
            request, "admin/packs/contentpack/preview.html", context
        )

    def _confirm(
        self, request: HttpRequest, actor: AbstractBaseUser | None
    ) -> HttpResponse:
        """Apply (import) or cancel a held upload the editor has looked at."""
        try:
            key = uuid.UUID(str(request.POST.get("held", "")))
        except ValueError:
            return HttpResponseBadRequest(_("This upload is not known."))
        if "cancel" in request.POST:
            pack_upload_discard(key=key)
            messages.info(request, _("The upload was cancelled; nothing was imported."))
            return redirect("admin:packs_contentpack_upload")
        try:
            created = pack_upload_release(
                actor=actor,
                key=key,
                label=str(request.POST.get("label", "pack.zip"))[:200] or "pack.zip",
                force=request.POST.get("force") == "1",
            )
        except PackSourceError as exc:
            messages.error(request, str(exc))
            return redirect("admin:packs_contentpack_upload")
        return redirect("admin:packs_contentpack_upload_status", upload_id=created.id)

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
