"""Content packs: one row per imported pack, owner of what the pack brings.

The table keeps its first name (``learning_contentpack``): the model moved here
from ``learning`` with ``SeparateDatabaseAndState``, so no data moved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel


class ContentPack(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (editors only)")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(_("pack id"), max_length=80, unique=True)
    version = models.CharField(_("version"), max_length=40)
    title_vi = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    framework_slug = models.CharField(max_length=50)
    content_hash = models.CharField(max_length=64, editable=False)
    license = models.CharField(max_length=60, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    # A draft's courses and lessons are shown to content editors only (preview);
    # learners see published packs (docs/content-packs.md, "Draft and publish").
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.PUBLISHED,
    )
    #: A provincial pack: its courses show to that province's learners only
    #: (unless a course is marked national); None for a national pack.
    province = models.ForeignKey(
        "geo.Province",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("province"),
    )

    class Meta:
        db_table = "learning_contentpack"
        verbose_name = _("content pack")
        verbose_name_plural = _("content packs")

    def __str__(self) -> str:
        return f"{self.slug} {self.version}"


class PackUpload(BaseModel):
    """A pack uploaded in the admin, imported by a background task.

    The row is the progress the editor's page shows: the task moves it from
    queued through checking and importing to done or failed. ``done`` is
    written in the import's own transaction, so a task interrupted mid-way
    and run again either finds it done or imports from the start.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        CHECKING = "checking", _("Checking the pack")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    label = models.CharField(_("file"), max_length=200)
    stored_name = models.CharField(max_length=200, editable=False)
    size = models.PositiveBigIntegerField(default=0)
    force = models.BooleanField(default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    pack = models.ForeignKey(
        ContentPack, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unchanged = models.BooleanField(default=False)
    counts: models.JSONField[dict[str, int]] = models.JSONField(default=dict)
    issues: models.JSONField[list[str]] = models.JSONField(default=list)
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pack upload")
        verbose_name_plural = _("pack uploads")

    def __str__(self) -> str:
        return f"{self.label} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
