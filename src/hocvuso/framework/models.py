"""Competence frameworks as versioned data, and the movement's target groups."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualMixin:
    """``name`` in the active language (Vietnamese unless English is active)."""

    name_vi: str
    name_en: str

    @property
    def name(self) -> str:
        lang = get_language() or "vi"
        return self.name_en if lang.startswith("en") and self.name_en else self.name_vi


class Framework(models.Model):
    """One version of a competence framework.

    A version is immutable once results reference it (``locked``): the loader
    refuses to change it and a new version must be published instead.
    """

    slug = models.SlugField(_("framework id"), max_length=50)
    version = models.CharField(_("version"), max_length=20)
    title_vi = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    source = models.TextField(_("source"), blank=True)
    digcomp_version = models.CharField(max_length=10, blank=True)
    content_hash = models.CharField(max_length=64, editable=False)
    locked = models.BooleanField(
        _("locked"),
        default=False,
        help_text=_("Results reference this version; it can no longer change."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("competence framework")
        verbose_name_plural = _("competence frameworks")
        ordering = ["slug", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version"], name="framework_slug_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.slug}@{self.version}"

    @property
    def key(self) -> str:
        return f"{self.slug}@{self.version}"

    @property
    def title(self) -> str:
        lang = get_language() or "vi"
        return self.title_en if lang.startswith("en") else self.title_vi


class Level(BilingualMixin, models.Model):
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="levels"
    )
    number = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=8)
    name_vi = models.CharField(max_length=50)
    name_en = models.CharField(max_length=50)
    description_vi = models.TextField()
    description_en = models.TextField()
    digcomp_level = models.PositiveSmallIntegerField(null=True)

    class Meta:
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="level_framework_code_unique"
            ),
            models.UniqueConstraint(
                fields=["framework", "number"], name="level_framework_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def description(self) -> str:
        """Return what the level means, in plain words, in the active language."""
        from hocvuso.framework.plain_words import LEVEL_PLAIN_WORDS

        plain = LEVEL_PLAIN_WORDS.get(self.code)
        if plain is not None:
            return str(plain)
        lang = get_language() or "vi"
        if lang.startswith("en") and self.description_en:
            return self.description_en
        return self.description_vi


class Domain(BilingualMixin, models.Model):
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="domains"
    )
    code = models.CharField(max_length=8)
    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    digcomp_ref = models.CharField(max_length=8, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="domain_framework_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name_vi}"


class Competence(BilingualMixin, models.Model):
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="competences"
    )
    domain = models.ForeignKey(
        Domain, on_delete=models.CASCADE, related_name="competences"
    )
    code = models.CharField(max_length=8)
    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    digcomp_ref = models.CharField(
        _("DigComp 2.2 competence"), max_length=8, blank=True
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="competence_framework_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_vi}"


class TargetGroup(BilingualMixin, models.Model):
    """A group named by the movement, with the level it must reach."""

    slug = models.SlugField(max_length=40, unique=True)
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="target_groups"
    )
    name_vi = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    required_level = models.ForeignKey(
        Level, on_delete=models.PROTECT, related_name="+"
    )
    rationale_vi = models.TextField(blank=True)
    rationale_en = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")

    def __str__(self) -> str:
        return self.name
