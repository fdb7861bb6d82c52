"""Indicators, the rollup fact table, targets, denominators, manual values, approval.

The model follows DHIS2's: an indicator is numerator / denominator × factor,
computed when read from counts stored per unit × month × group; targets and
population denominators are values per unit × year × group; a commune's figures
for a month are submitted and approved by the province.

Units are named by level and codes (``geo`` codes: province 2 digits, commune 5):
the nation is ``(NATION, 0, 0)``, a province ``(PROVINCE, p, 0)``, a commune
``(COMMUNE, p, c)``. See ``hocvuso.programs.access.UnitRef``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel

ALL_GROUPS = ""  # the group column's value for "every target group together"


class UnitLevel(models.TextChoices):
    NATION = "nation", _("Nation")
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune")


class Aggregation(models.TextChoices):
    """How months add up: flows are summed, stocks take the last month."""

    SUM = "sum", _("Sum over the months (a flow)")
    LAST = "last", _("Value at the last month (a stock)")


class ApprovalState(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class IndicatorSet(models.Model):
    """A version of the indicator definitions, shipped as data (like a framework).

    Only one set is active at a time; an older set stays for the facts and
    targets recorded under it.
    """

    slug = models.SlugField(_("set id"), max_length=50)
    version = models.CharField(_("version"), max_length=20)
    title_vi = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    source = models.TextField(_("source"), blank=True)
    content_hash = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(_("active"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug", "-created_at"]
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version"], name="programs_indicatorset_version"
            ),
            models.UniqueConstraint(
                fields=["active"],
                condition=Q(active=True),
                name="programs_one_active_indicatorset",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug} {self.version}"


class Indicator(models.Model):
    """One indicator: numerator / denominator × factor, aggregated over months.

    ``numerator`` names a registered computation (``hocvuso.core.indicators``)
    or is ``"manual"`` (a value entered per unit and month with evidence).
    ``denominator`` is empty (the indicator is a count), ``"population"`` (the
    imported population of the unit × year × group) or a computation key.
    ``target_groups`` lists the group slugs it is broken down by (empty: the
    total only); ``unit_levels`` the levels it is shown at.
    """

    MANUAL = "manual"
    POPULATION = "population"

    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(_("indicator id"), max_length=60)
    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_vi = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    numerator = models.CharField(_("numerator"), max_length=60)
    denominator = models.CharField(_("denominator"), max_length=60, blank=True)
    factor = models.PositiveIntegerField(_("factor"), default=1)
    aggregation = models.CharField(
        _("aggregation"), max_length=8, choices=Aggregation.choices
    )
    target_groups: models.JSONField[Any] = models.JSONField(default=list)
    unit_levels: models.JSONField[Any] = models.JSONField(default=list)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_set", "code"], name="programs_indicator_code"
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_percentage(self) -> bool:
        return bool(self.denominator)

    @property
    def is_manual(self) -> bool:
        return self.numerator == self.MANUAL


class Fact(models.Model):
    """One pre-aggregated cell: unit × year × month × indicator × group.

    ``numerator`` is the month's flow (``SUM`` indicators) or the stock at the
    month's end (``LAST``); ``denominator`` is set when the indicator's
    denominator is a computation (a population denominator is read from
    :class:`Population`). Commune rows come from the computations and manual
    values; province and nation rows are their sums, written by the same
    refresh. Dashboards read only this table. On PostgreSQL it is partitioned
    by year; ``province_code`` is the distribution key a sharded deployment
    would use (docs/scaling.md).
    """

    pk = models.CompositePrimaryKey(
        "year", "level", "province_code", "commune_code", "month", "indicator", "group"
    )
    year = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=8, choices=UnitLevel.choices)
    province_code = models.PositiveIntegerField()
    commune_code = models.PositiveIntegerField()
    month = models.PositiveSmallIntegerField()
    indicator = models.CharField(max_length=60)
    group = models.CharField(max_length=40, blank=True)
    numerator = models.FloatField(default=0)
    denominator = models.FloatField(null=True)
    approval = models.CharField(
        max_length=10, choices=ApprovalState.choices, default=ApprovalState.OPEN
    )
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        indexes = [
            models.Index(
                fields=["indicator", "year", "level", "province_code"],
                name="programs_fact_rollup",
            )
        ]

    def __str__(self) -> str:
        where = self.commune_code or self.province_code or "vn"
        return f"{self.indicator} {where} {self.year}-{self.month:02d}"


class RollupRun(models.Model):
    """One refresh of the fact table: incremental or a full rebuild.

    ``watermark`` is the instant up to which source changes are counted; the
    next incremental refresh asks the computations what changed since it.
    Dashboards show the latest finished run as "data as of HH:MM".
    """

    class Kind(models.TextChoices):
        INCREMENTAL = "incremental", _("Incremental")
        FULL = "full", _("Full rebuild")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)
    watermark = models.DateTimeField()
    cells = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("rollup run")
        verbose_name_plural = _("rollup runs")

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"


class UnitScoped(BaseModel):
    """Abstract: a row that belongs to the nation, a province or a commune.

    ``province`` None means the nation; ``commune`` None with a province means
    the province itself.
    """

    province = models.ForeignKey(
        "geo.Province",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("province"),
    )
    commune = models.ForeignKey(
        "geo.Commune",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("commune"),
    )

    class Meta:
        abstract = True

    @property
    def level(self) -> str:
        if self.commune_id is not None:
            return UnitLevel.COMMUNE
        if self.province_id is not None:
            return UnitLevel.PROVINCE
        return UnitLevel.NATION


def _unit_check(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(commune__isnull=True) | Q(province__isnull=False),
        name=name,
    )


class Target(UnitScoped):
    """The value a unit should reach for an indicator × group by a year's end."""

    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.CharField(_("indicator"), max_length=60)
    group = models.CharField(_("target group"), max_length=40, blank=True)
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("set by"),
    )

    class Meta:
        ordering = ["year", "province_id", "commune_id", "indicator", "group"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "province", "commune", "indicator", "group"],
                nulls_distinct=False,
                name="programs_target_cell",
            ),
            _unit_check("programs_target_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


class Population(UnitScoped):
    """How many people of a group live in a unit in a year (a denominator)."""

    year = models.PositiveSmallIntegerField(_("year"))
    group = models.CharField(_("target group"), max_length=40, blank=True)
    value = models.PositiveIntegerField(_("population"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("set by"),
    )

    class Meta:
        ordering = ["year", "province_id", "commune_id", "group"]
        verbose_name = _("population")
        verbose_name_plural = _("populations")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "province", "commune", "group"],
                nulls_distinct=False,
                name="programs_population_cell",
            ),
            _unit_check("programs_population_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.group or '*'}: {self.value}"


class ManualValue(UnitScoped):
    """A value entered by an officer where hocvuso has no data (with evidence).

    For a ``manual`` indicator, per unit × month × group. Locked while the
    commune's month is approved.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    indicator = models.CharField(_("indicator"), max_length=60)
    group = models.CharField(_("target group"), max_length=40, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    evidence_note = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(
        _("evidence file"), upload_to="programs/evidence/%Y/", blank=True
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        ordering = ["year", "month", "province_id", "commune_id", "indicator"]
        verbose_name = _("manual value")
        verbose_name_plural = _("manual values")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month", "province", "commune", "indicator", "group"],
                nulls_distinct=False,
                name="programs_manualvalue_cell",
            ),
            _unit_check("programs_manualvalue_unit"),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12),
                name="programs_manualvalue_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}-{self.month:02d}: {self.value}"


class Approval(BaseModel):
    """The approval state of one commune's figures for one month."""

    commune = models.ForeignKey(
        "geo.Commune",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("commune"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ApprovalState.choices,
        default=ApprovalState.OPEN,
    )
    comment = models.TextField(_("comment"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-month", "commune_id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "year", "month"], name="programs_approval_period"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12),
                name="programs_approval_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.year}-{self.month:02d}: {self.state}"
