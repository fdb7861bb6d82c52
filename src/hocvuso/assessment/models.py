"""Item bank, blueprints, test sessions, responses and results.

``Item.content`` is versioned JSON. Shape of ``schema_version`` 1::

    {"schema_version": 1,
     "kind": "mcq" | "scenario",
     "scenario": {"vi": str, "en": str} | null,
     "stem": {"vi": str, "en": str},
     "options": [{"id": "a", "vi": str, "en": str}, ...],
     "explanation": {"vi": str, "en": str}}

An item that has been delivered in a test is never edited in place: a changed
item gets a new row (``version`` + 1) and the old one stops being current.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel

ITEM_SCHEMA_VERSION = 1


def _lang() -> str:
    lang = get_language() or "vi"
    return "en" if lang.startswith("en") else "vi"


class Item(BaseModel):
    slug = models.CharField(_("item id"), max_length=80)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    pack = models.ForeignKey(
        "packs.ContentPack", on_delete=models.PROTECT, related_name="items"
    )
    competence = models.ForeignKey(
        "framework.Competence", on_delete=models.PROTECT, related_name="items"
    )
    level = models.ForeignKey(
        "framework.Level", on_delete=models.PROTECT, related_name="+"
    )
    for_all_groups = models.BooleanField(default=True)
    target_groups = models.ManyToManyField(
        "framework.TargetGroup", blank=True, related_name="items"
    )
    content: models.JSONField[Any] = models.JSONField()
    key = models.CharField(max_length=8)
    # Hash of the pack entry the item came from (kept by edits in the admin):
    # an import skips an item whose pack entry has not changed.
    content_hash = models.CharField(max_length=64)
    irt_a = models.FloatField(default=1.0)
    irt_b = models.FloatField(default=0.0)
    irt_c = models.FloatField(default=0.0)
    irt_provisional = models.BooleanField(default=True)
    irt_source = models.CharField(max_length=80, blank=True)
    # A field-test item is given unscored in field-test slots until
    # ``hocvuso assessment calibrate`` makes it operational.
    field_test = models.BooleanField(default=False)
    # Fit of the last calibration (schema 1): {"schema_version": 1, "n": int,
    # "se_a": float|null, "se_b": float|null, "sx2": float|null, "df":
    # int|null, "p": float|null, "ready": bool, "flags": [str], "at": date}.
    irt_fit: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    # A released item's key may be shown in the review after a test (retired
    # items' keys too: they are no longer asked).
    released = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("test item")
        verbose_name_plural = _("test items")
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version"], name="item_slug_version_unique"
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(is_current=True),
                name="item_one_current_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug} v{self.version}"

    @property
    def domain_code(self) -> str:
        return self.competence.code.split(".")[0]

    def text(self, field: str) -> str:
        node = self.content.get(field) or {}
        return str(node.get(_lang()) or node.get("vi") or "")

    def media(self) -> dict[str, str] | None:
        """Return the item's picture (``src``, ``alt`` in the language) or None."""
        node = self.content.get("media")
        if not node:
            return None
        alt = node.get("alt") or {}
        return {"src": str(node["src"]), "alt": str(alt.get(_lang()) or alt.get("vi"))}

    def options(self) -> list[dict[str, str]]:
        lang = _lang()
        return [
            {"id": o["id"], "text": o.get(lang) or o["vi"]}
            for o in self.content["options"]
        ]


class Blueprint(BaseModel):
    """How the standard assessment of one target group is built."""

    class Mode(models.TextChoices):
        ADAPTIVE = "adaptive", _("Adaptive")
        FIXED = "fixed", _("Fixed")

    target_group = models.ForeignKey(
        "framework.TargetGroup", on_delete=models.PROTECT, related_name="blueprints"
    )
    pack = models.ForeignKey(
        "packs.ContentPack", on_delete=models.PROTECT, related_name="blueprints"
    )
    #: A provincial pack's override: used for this province's learners instead
    #: of the national blueprint of the group. None: the national blueprint.
    province = models.ForeignKey(
        "geo.Province",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mode = models.CharField(max_length=10, choices=Mode.choices)
    pass_level = models.ForeignKey(
        "framework.Level", on_delete=models.PROTECT, related_name="+"
    )
    config: models.JSONField[Any] = models.JSONField(
        help_text="psychometrics CatConfig.to_dict() (schema_version 1)"
    )
    form: models.JSONField[list[str]] = models.JSONField(
        default=list,
        blank=True,
        help_text="fixed mode: the item ids (slugs) of the pack, in the order given",
    )
    time_limit_minutes = models.PositiveSmallIntegerField(default=40)
    # Days before an unsupervised retake: after a fail, after a pass. A
    # supervised sitting is never held back (the supervisor lets people sit).
    retake_cooldown_days = models.PositiveSmallIntegerField(default=7)
    retake_cooldown_after_pass_days = models.PositiveSmallIntegerField(default=0)
    # A pass needs at least this many correct answers (and the WLE at the cut).
    min_correct = models.PositiveSmallIntegerField(default=1)
    # Unscored field-test items per sitting (0-3), never in the first 3.
    field_test_slots = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("assessment blueprint")
        verbose_name_plural = _("assessment blueprints")
        ordering = ["target_group__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_group"],
                condition=models.Q(province__isnull=True),
                name="blueprint_national_group_unique",
            ),
            models.UniqueConstraint(
                fields=["target_group", "province"],
                name="blueprint_group_province_unique",
            ),
        ]

    def __str__(self) -> str:
        where = f" {self.province_id}" if self.province_id else ""
        return f"{self.target_group.slug}{where} ({self.mode})"


class ItemExposure(models.Model):
    """Exposure-control parameter of one item in one blueprint's bank.

    Written by ``hocvuso assessment calibrate-exposure`` (simulation of the
    blueprint's test on its bank): the item-eligibility probability
    (``method="eligibility"``) or the Sympson-Hetter ``k``
    (``method="sympson_hetter"``), in ``[0, 1]``.
    """

    blueprint = models.ForeignKey(
        Blueprint, on_delete=models.CASCADE, related_name="exposure"
    )
    item = models.ForeignKey("Item", on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=20)
    value = models.FloatField()
    calibrated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["blueprint", "item", "method"], name="item_exposure_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.blueprint_id} {self.item_id} {self.method}={self.value:.3f}"


class SupervisionSession(BaseModel):
    """A supervised sitting opened by an officer or helper at a service point."""

    code = models.CharField(max_length=8, unique=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    commune = models.ForeignKey(
        "geo.Commune", null=True, blank=True, on_delete=models.PROTECT
    )
    place = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.code


class BankSnapshot(models.Model):
    """The item parameters sittings started with, shared by their fingerprint.

    Rows are written once and never change (the primary key is the
    ``psychometrics.ItemBank.fingerprint`` of the content), so a sitting
    finishes on the parameters it started with whatever is imported meanwhile.
    Shape of ``params`` (``schema_version`` 1)::

        {"schema_version": 1, "item_ids": [str, ...], "a": [float, ...],
         "b": [float, ...], "c": [float, ...], "areas": [str, ...]}
    """

    fingerprint = models.CharField(primary_key=True, max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    params: models.JSONField[Any] = models.JSONField()

    def __str__(self) -> str:
        return self.fingerprint[:12]


class TestSession(BaseModel):
    """One sitting of a blueprint by a learner; survives lost connections."""

    SCOPE_COMMUNE_FIELD = "user__profile__commune"
    SCOPE_OWNER_FIELD = "user"
    __test__ = False  # not a pytest test class

    class Status(models.TextChoices):
        ACTIVE = "active", _("In progress")
        COMPLETED = "completed", _("Completed")
        EXPIRED = "expired", _("Time is up")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tests"
    )
    blueprint = models.ForeignKey(
        Blueprint, on_delete=models.PROTECT, related_name="sessions"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    seed = models.BigIntegerField()
    bank_items: models.JSONField[Any] = models.JSONField(
        default=list, help_text="ids of the item versions this sitting draws from"
    )
    cat_state: models.JSONField[Any] = models.JSONField(default=dict)
    # Null for sittings started before snapshots existed (then built from rows).
    bank = models.ForeignKey(
        BankSnapshot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the item parameters this sitting started with",
    )
    attempt_ids: models.JSONField[Any] = models.JSONField(
        default=list,
        help_text="client attempt ids of the answers recorded, in order",
    )
    current_item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    n_answered = models.PositiveSmallIntegerField(default=0)
    # Field-test slots of the sitting: [{"position": int, "item": str}, ...]
    # (schema 1), drawn at the start; positions count every answer.
    field_tests: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    # Language the sitting was taken in ("vi" or "en"), for DIF analysis.
    language = models.CharField(max_length=8, blank=True)
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    supervision = models.ForeignKey(
        SupervisionSession,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    # The supervisor's in-person check of the learner's citizen ID card (the
    # card's number is never stored: only who looked and when).
    id_card_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    id_card_checked_at = models.DateTimeField(null=True, blank=True)
    # A helper who guided the learner through this sitting on the helper's
    # phone (``accounts.guidance``); the learner answered.
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assisted by"),
    )
    # Answer rate limit, kept on the row the answer already locks and writes
    # (no extra cache round trip per answer): submissions in the current window.
    rate_window_start = models.DateTimeField(null=True, blank=True)
    rate_window_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("sitting")
        verbose_name_plural = _("sittings")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "blueprint"],
                condition=Q(status="active"),
                name="one_active_session_per_blueprint",
            )
        ]
        indexes = [models.Index(fields=["user", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.blueprint_id} {self.status}"


class Response(models.Model):
    """One answer; ``attempt_id`` (from the client) makes retries harmless."""

    attempt_id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    session = models.ForeignKey(
        TestSession, on_delete=models.CASCADE, related_name="responses"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="responses")
    position = models.PositiveSmallIntegerField()
    option = models.CharField(max_length=8)
    correct = models.BooleanField()
    # False for a field-test item: stored for calibration only, never scored.
    scored = models.BooleanField(default=True)
    answered_at = models.DateTimeField(auto_now_add=True)
    next_item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "position"], name="response_position_unique"
            ),
            models.UniqueConstraint(
                fields=["session", "item"], name="response_item_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} #{self.position}"


class Result(BaseModel):
    """The outcome of a finished test session."""

    SCOPE_COMMUNE_FIELD = "user__profile__commune"
    SCOPE_OWNER_FIELD = "user"

    session = models.OneToOneField(
        TestSession, on_delete=models.PROTECT, related_name="result"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="results",
        verbose_name=_("learner"),
    )
    target_group = models.ForeignKey(
        "framework.TargetGroup",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("target group"),
    )
    framework = models.ForeignKey(
        "framework.Framework", on_delete=models.PROTECT, related_name="+"
    )
    theta = models.FloatField()
    se = models.FloatField()
    level = models.ForeignKey(
        "framework.Level",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("level"),
    )
    passed = models.BooleanField(_("passed"))
    supervised = models.BooleanField(_("supervised"), default=False)
    n_items = models.PositiveSmallIntegerField()
    stop_reason = models.CharField(max_length=20)
    profile: models.JSONField[Any] = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.target_group_id} {self.theta:.2f}"
