from __future__ import annotations

from django.contrib import admin

from hocvuso.geo.models import Commune, Province


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin[Province]):
    list_display = ("code", "name", "division_type")
    search_fields = ("name", "name_folded")


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin[Commune]):
    list_display = ("code", "name", "province", "division_type")
    list_filter = ("division_type", "province")
    search_fields = ("name", "name_folded")
    list_select_related = ("province",)
