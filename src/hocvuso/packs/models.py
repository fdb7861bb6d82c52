"""Content packs: one row per imported pack, owner of what the pack brings.

The table keeps its first name (``learning_contentpack``): the model moved here
from ``learning`` with ``SeparateDatabaseAndState``, so no data moved.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel


class ContentPack(BaseModel):
    slug = models.SlugField(_("pack id"), max_length=80, unique=True)
    version = models.CharField(_("version"), max_length=40)
    title_vi = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    framework_slug = models.CharField(max_length=50)
    content_hash = models.CharField(max_length=64, editable=False)
    license = models.CharField(max_length=60, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "learning_contentpack"
        verbose_name = _("content pack")
        verbose_name_plural = _("content packs")

    def __str__(self) -> str:
        return f"{self.slug} {self.version}"
