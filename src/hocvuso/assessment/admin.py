"""Item authoring for content editors: edit, preview; delivered items version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_lazy

from hocvuso.accounts.models import User
from hocvuso.accounts.permissions import scope_queryset
from hocvuso.assessment.bank import item_save
from hocvuso.assessment.models import Blueprint, Item, Result, TestSession

EDIT = "learning.edit_content"
#: Officers' permission (from their role): their unit's learners and results.
VIEW_LEARNERS = "accounts.view_learners"


class ItemForm(forms.ModelForm):  # type: ignore[type-arg]
    stem_vi = forms.CharField(
        label="Câu hỏi (vi)", widget=forms.Textarea(attrs={"rows": 2})
    )
    stem_en = forms.CharField(
        label="Question (en)", widget=forms.Textarea(attrs={"rows": 2})
    )
    scenario_vi = forms.CharField(
        label="Tình huống (vi)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    scenario_en = forms.CharField(
        label="Scenario (en)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    options_text = forms.CharField(
        label=gettext_lazy("Options"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "One per line: id | Vietnamese | English (a | Xóa tin | Delete)"
        ),
    )
    explanation_vi = forms.CharField(
        label="Giải thích (vi)", widget=forms.Textarea(attrs={"rows": 2})
    )
    explanation_en = forms.CharField(
        label="Explanation (en)", widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Item
        fields = ["competence", "level", "key"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        c = self.instance.content if self.instance.pk else {}
        for field in ("stem", "scenario", "explanation"):
            node = c.get(field) or {}
            self.initial[f"{field}_vi"] = node.get("vi", "")
            self.initial[f"{field}_en"] = node.get("en", "")
        self.initial["options_text"] = "\n".join(
            f"{o['id']} | {o['vi']} | {o.get('en', '')}" for o in c.get("options", [])
        )

    def clean_options_text(self) -> list[dict[str, str]]:
        options = []
        for n, line in enumerate(self.cleaned_data["options_text"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 3 or not all(parts):
                raise forms.ValidationError(
                    gettext("Line %(n)d: write 'id | Vietnamese | English'.") % {"n": n}
                )
            options.append({"id": parts[0], "vi": parts[1], "en": parts[2]})
        if not 2 <= len(options) <= 6 or len({o["id"] for o in options}) != len(
            options
        ):
            raise forms.ValidationError(
                gettext("Give 2 to 6 options with different ids.")
            )
        return options

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        options = data.get("options_text") or []
        if options and data.get("key") not in {o["id"] for o in options}:
            self.add_error("key", gettext("The key must be one of the option ids."))
        return data

    def content(self) -> dict[str, Any]:
        d = self.cleaned_data
        scenario = (
            {"vi": d["scenario_vi"], "en": d["scenario_en"]}
            if d["scenario_vi"]
            else None
        )
        kept = {  # the picture comes from the pack; editing keeps it
            k: v for k, v in (self.instance.content or {}).items() if k == "media"
        }
        return kept | {
            "schema_version": 1,
            "kind": "scenario" if scenario else "mcq",
            "scenario": scenario,
            "stem": {"vi": d["stem_vi"], "en": d["stem_en"]},
            "options": d["options_text"],
            "explanation": {"vi": d["explanation_vi"], "en": d["explanation_en"]},
        }


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin[Item]):
    form = ItemForm
    list_display = (
        "slug",
        "question",
        "version",
        "is_current",
        "competence",
        "level",
        "irt_b",
        "irt_provisional",
    )
    list_filter = ("is_current", "irt_provisional", "level", "competence__domain")
    search_fields = ("slug",)
    list_select_related = ("competence", "level")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """An old version is shown read-only: its texts, not the edit form's."""
        if obj is not None and not obj.is_current:
            return (
                *self.readonly_fields,
                "competence",
                "level",
                "key",
                "stem_text",
                "options_list",
                "explanation_text",
            )
        return super().get_fields(request, obj)

    @admin.display(description=gettext_lazy("question"))
    def stem_text(self, obj: Item) -> str:
        return obj.text("stem")

    @admin.display(description=gettext_lazy("Options"))
    def options_list(self, obj: Item) -> str:
        return " · ".join(
            f"{o['id']}. {o['vi']}" for o in (obj.content or {}).get("options", [])
        )

    @admin.display(description=gettext_lazy("explanation"))
    def explanation_text(self, obj: Item) -> str:
        return obj.text("explanation")

    @admin.display(description=gettext_lazy("question"))
    def question(self, obj: Item) -> str:
        text = " ".join(obj.text("stem").split())
        return text if len(text) <= 90 else text[:89] + "…"

    readonly_fields = (
        "slug",
        "version",
        "is_current",
        "irt_a",
        "irt_b",
        "irt_c",
        "irt_provisional",
        "irt_source",
    )
    change_form_template = "admin/assessment/item/change_form.html"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(EDIT)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(EDIT)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(EDIT) and (obj is None or obj.is_current)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # items come from content packs

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Item, form: Any, change: bool
    ) -> None:
        actor = request.user if isinstance(request.user, User) else None
        saved = item_save(
            actor=actor,
            item=Item.objects.get(pk=obj.pk),
            content=form.content(),
            key=form.cleaned_data["key"],
            competence=form.cleaned_data["competence"],
            level=form.cleaned_data["level"],
        )
        if saved.pk != obj.pk:
            messages.info(
                request,
                gettext(
                    "%(slug)s was already used in tests: saved as version "
                    "%(version)d, which learners now get."
                )
                % {"slug": obj.slug, "version": saved.version},
            )
        obj.pk = saved.pk

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        """Nothing to save: ``item_save`` wrote everything."""

    def response_change(self, request: HttpRequest, obj: Item) -> HttpResponse:
        """After saving as a new version, keep editing that version, not the old."""
        match = request.resolver_match
        edited = match.kwargs.get("object_id") if match else None
        if "_continue" in request.POST and edited and str(obj.pk) != str(edited):
            return HttpResponseRedirect(
                reverse("admin:assessment_item_change", args=[obj.pk])
            )
        return super().response_change(request, obj)

    def get_urls(self) -> list[URLPattern]:
        preview = path(
            "<uuid:pk>/preview/",
            self.admin_site.admin_view(self.preview),
            name="assessment_item_preview",
        )
        return [preview, *super().get_urls()]

    def preview(self, request: HttpRequest, pk: str) -> HttpResponse:
        if not request.user.has_perm(EDIT):
            raise PermissionDenied
        item = get_object_or_404(
            Item.objects.select_related("competence", "level"), pk=pk
        )
        return TemplateResponse(
            request,
            "assessment/preview.html",
            {
                "item": item,
                "stem": item.text("stem"),
                "scenario": item.text("scenario")
                if item.content.get("scenario")
                else "",
                "explanation": item.text("explanation"),
                "media": item.media(),
            },
        )


@admin.register(Blueprint)
class BlueprintAdmin(admin.ModelAdmin[Blueprint]):
    list_display = ("target_group", "mode", "pass_level", "time_limit_minutes")
    readonly_fields = ("mode", "config", "form")


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Rows only sittings make: never added, changed or deleted here.

    Officers see those of their unit (``scope_queryset``), national admins all.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VIEW_LEARNERS) or super().has_module_permission(
            request
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(VIEW_LEARNERS) or super().has_view_permission(
            request, obj
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope_queryset(request.user, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    """Results are made by sittings only (corrections go through services)."""

    list_display = (
        "date",
        "user",
        "commune",
        "province",
        "target_group",
        "level",
        "passed",
        "supervised",
    )
    list_filter = (
        "passed",
        "supervised",
        "target_group",
        ("user__profile__commune__province", admin.RelatedOnlyFieldListFilter),
        ("user__profile__commune", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("user__full_name", "user__username")
    list_select_related = (
        "user__profile__commune__province",
        "target_group",
        "level",
    )
    date_hierarchy = "created_at"

    @admin.display(description=gettext_lazy("date"), ordering="created_at")
    def date(self, obj: Result) -> str:
        return date_format(localtime(obj.created_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=gettext_lazy("commune"))
    def commune(self, obj: Result) -> str:
        profile = getattr(obj.user, "profile", None)
        return str(profile.commune.name) if profile and profile.commune else "—"

    @admin.display(description=gettext_lazy("province"))
    def province(self, obj: Result) -> str:
        profile = getattr(obj.user, "profile", None)
        commune = profile.commune if profile else None
        return str(commune.province.name) if commune else "—"


@admin.register(TestSession)
class TestSessionAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "user", "blueprint", "status", "n_answered")
    list_filter = ("status",)
    search_fields = ("user__full_name", "user__username")
    list_select_related = ("user", "blueprint__target_group")
    date_hierarchy = "started_at"
