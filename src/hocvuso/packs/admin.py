"""Admin for content packs: the list, and the upload for content editors."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hocvuso.packs.errors import PackInvalid
from hocvuso.packs.models import ContentPack
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import MAX_PACK_BYTES, PackSource, PackSourceError

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
    list_display = ("slug", "version", "framework_slug", "imported_at")
    change_list_template = "admin/packs/contentpack/change_list.html"

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
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="packs_contentpack_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(EDIT):
            raise PermissionDenied
        form = PackUploadForm(request.POST or None, request.FILES or None)
        issues: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_PACK_BYTES:
                    raise PackSourceError(_("The file is larger than 200 MB."))
                source = PackSource.from_zip(upload.read(), label=upload.name)
                actor = request.user if request.user.is_authenticated else None
                result = pack_import(
                    source=source, actor=actor, force=form.cleaned_data["force"]
                )
            except PackSourceError as exc:
                form.add_error("file", str(exc))
            except PackInvalid as exc:
                issues = [str(i) for i in exc.issues]
                form.add_error(
                    None,
                    _("The pack has %(n)d problem(s); nothing was imported.")
                    % {"n": len(issues)},
                )
            else:
                if result.unchanged:
                    messages.info(request, _("The pack is unchanged."))
                else:
                    messages.success(
                        request,
                        _(
                            "Imported %(pack)s %(version)s: %(created)d lessons "
                            "created, %(updated)d updated, %(archived)d archived."
                        )
                        % {
                            "pack": result.pack.slug,
                            "version": result.pack.version,
                            "created": result.count("lessons_created"),
                            "updated": result.count("lessons_updated"),
                            "archived": result.count("lessons_archived"),
                        },
                    )
                return redirect("admin:packs_contentpack_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "issues": issues,
            "title": _("Upload a content pack"),
        }
        return TemplateResponse(request, "admin/packs/contentpack/upload.html", context)
