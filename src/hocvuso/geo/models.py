"""Provinces and communes of the two-level local government (since 1 Jul 2025)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    """A provincial-level unit (28 provinces + 6 centrally-run cities)."""

    code = models.PositiveIntegerField(_("code"), primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=100)
    name_folded = models.CharField(max_length=100, db_index=True, editable=False)
    division_type = models.CharField(_("type"), max_length=40)
    codename = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune-level unit: xã, phường or đặc khu."""

    code = models.PositiveIntegerField(_("code"), primary_key=True)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="communes",
        verbose_name=_("province"),
    )
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=100)
    name_folded = models.CharField(max_length=100, db_index=True, editable=False)
    division_type = models.CharField(_("type"), max_length=40)
    codename = models.CharField(max_length=100)

    class Meta:
        ordering = ["province_id", "name_folded"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self) -> str:
        return f"{self.name}, {self.province.short_name}"
