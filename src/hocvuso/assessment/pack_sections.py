"""Exam items and blueprints in content packs: the assessment app's sections.

``items/*.yaml`` hold the item bank, ``blueprints.yaml`` a test per target
group. Reading checks their shape so an author learns of every mistake in one
run; writing imports them in the pack's transaction (``bank.items_import``,
``bank.blueprints_import``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hocvuso.packs import yamlines
from hocvuso.packs.reader import PackData, PackReader
from hocvuso.packs.sections import ImportContext, PackChange, PackSection
from hocvuso.psychometrics import CatConfig
from hocvuso.psychometrics.catbank import SELECTION_METHODS

ITEM_KEYS = {
    "id", "competence", "level", "target_groups", "kind", "scenario", "stem",
    "options", "key", "explanation", "irt", "media", "field_test", "released",
}  # fmt: skip


# Item eligibility and Sympson-Hetter use per-item parameters that
# ``hocvuso assessment calibrate-exposure`` stores (until then every item is
# eligible / k = 1); the others need nothing but the blueprint.
PACK_EXPOSURE_METHODS = (
    "eligibility",
    "sympson_hetter",
    "randomesque",
    "progressive",
    "none",
)

ITEM_IMAGES = (".png", ".jpg", ".jpeg", ".webp")


def item_media_path(rel: str, src: str) -> str:
    """Return the pack path of an item's image, ``src`` relative to its file."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(rel), src))


# A fixed form is answered in full, in order: these settings have no meaning.
ADAPTIVE_ONLY = frozenset(
    {
        "length",
        "content",
        "stopping",
        "selection",
        "exposure",
        "randomesque_n",
        "field_test_slots",
    }
)
ADAPTIVE_SELECTION = tuple(m for m in SELECTION_METHODS if m != "sequential")

# Whole-number blueprint settings: (key, least, most).
_WHOLE_SETTINGS = (
    ("time_limit_minutes", 1, 24 * 60),
    ("retake_cooldown_days", 0, 3650),
    ("retake_cooldown_after_pass_days", 0, 3650),
    ("randomesque_n", 1, 20),
    ("min_correct", 1, 100),
    ("field_test_slots", 0, 3),
)


def blueprint_cat_config(bp: Mapping[str, Any], cut: float) -> CatConfig:
    """Return the adaptive-test settings of a pack blueprint.

    ``cut`` is the ability of the blueprint's pass level (the start point and
    the pass/fail boundary). A fixed blueprint gives its items in order, all of
    them, with no early stop. Raises ``ValueError`` or ``TypeError`` with a
    message for the content author when a setting cannot be used.
    """
    if bp.get("mode") == "fixed":
        n = len(bp.get("items") or [])
        return CatConfig(
            selection="sequential",
            min_items=n,
            max_items=n,
            cut=None,
            exposure="none",
            start_theta=cut,
        )
    exposure = str(bp.get("exposure", "randomesque"))
    if exposure not in PACK_EXPOSURE_METHODS:
        raise ValueError(f"'exposure' is one of {', '.join(PACK_EXPOSURE_METHODS)}")
    length = bp.get("length") or {}
    stopping = bp.get("stopping") or {}
    content = {
        str(area): (int(b.get("min", 0)), b.get("max"))
        for area, b in (bp.get("content") or {}).items()
    }
    return CatConfig(
        selection=str(bp.get("selection", "mfi")),  # type: ignore[arg-type]
        min_items=int(length.get("min", 10)),
        max_items=int(length.get("max", 30)),
        se_target=float(stopping["se"]) if stopping.get("se") else None,
        cut=cut if stopping.get("classification", True) else None,
        confidence=float(stopping.get("confidence", 0.95)),
        content=content,
        exposure=exposure,  # type: ignore[arg-type]
        randomesque_n=int(bp.get("randomesque_n", 3)),
        start_theta=cut,
    )


@dataclass
class ItemsPart:
    """The exam items of a pack, each with its ``_file`` and ``_line``."""

    entries: list[dict[str, Any]]


@dataclass
class BlueprintsPart:
    """The blueprints of a pack, one per target group."""

    entries: list[dict[str, Any]]


def pack_items(pack: PackData) -> list[dict[str, Any]]:
    """Return the exam items read from ``pack``."""
    return pack.part(ItemsSection.key, ItemsPart).entries


def pack_blueprints(pack: PackData) -> list[dict[str, Any]]:
    """Return the blueprints read from ``pack``."""
    return pack.part(BlueprintsSection.key, BlueprintsPart).entries


class _Checks:
    def __init__(self, reader: PackReader) -> None:
        self.r = reader

    def items(self, pack: PackData) -> None:
        seen: dict[str, str] = {}
        for rel in self.r.source.glob("items/", ".yaml"):
            doc = self.r.yaml(rel)
            if doc is None:
                continue
            entries = doc.data.get("items") if isinstance(doc.data, dict) else None
            if not isinstance(entries, list):
                self.r.err(rel, 1, "an items file holds 'items:' followed by a list")
                continue
            for i, item in enumerate(entries):
                self.item(rel, doc, i, item, seen)
                if isinstance(item, dict):
                    pack_items(pack).append(
                        item | {"_file": rel, "_line": doc.line("items", i)}
                    )

    def item(
        self, rel: str, doc: yamlines.YamlDoc, i: int, item: Any, seen: dict[str, str]
    ) -> None:
        line = doc.line("items", i)
        if not isinstance(item, dict):
            self.r.err(rel, line, f"items[{i}] must be a mapping")
            return
        for key in sorted(set(item) - ITEM_KEYS):
            self.r.err(rel, doc.line("items", i, key), f"unknown key '{key}'")
        iid = str(item.get("id", ""))
        if not iid:
            self.r.err(rel, line, f"items[{i}] needs an 'id'")
        elif iid in seen:
            self.r.err(rel, line, f"duplicate item id '{iid}' (also in {seen[iid]})")
        else:
            seen[iid] = rel
        self.r.competence(
            rel, doc.line("items", i, "competence"), item.get("competence")
        )
        self.r.level(rel, doc.line("items", i, "level"), item.get("level"))
        self.r.groups_list(
            rel, doc, item.get("target_groups"), "items", i, "target_groups"
        )
        if "media" in item:
            self.item_media(rel, doc, i, item["media"])
        kind = item.get("kind", "mcq")
        if kind not in ("mcq", "scenario"):
            self.r.err(rel, doc.line("items", i, "kind"), "'kind' is mcq or scenario")
        if kind == "scenario":
            self.r.text_map(rel, doc, item.get("scenario"), "items", i, "scenario")
        self.r.text_map(rel, doc, item.get("stem"), "items", i, "stem")
        self.r.text_map(rel, doc, item.get("explanation"), "items", i, "explanation")
        options = item.get("options")
        ids: list[str] = []
        if not isinstance(options, list) or not 2 <= len(options) <= 6:
            self.r.err(
                rel, doc.line("items", i, "options"), "'options' needs 2 to 6 options"
            )
        else:
            for j, opt in enumerate(options):
                if not isinstance(opt, dict) or not opt.get("id"):
                    self.r.err(
                        rel,
                        doc.line("items", i, "options", j),
                        "an option needs an 'id'",
                    )
                    continue
                ids.append(str(opt["id"]))
                for lang in self.r.languages:
                    if not str(opt.get(lang, "")).strip():
                        self.r.err(
                            rel,
                            doc.line("items", i, "options", j),
                            f"missing translation: option '{opt['id']}'.{lang}",
                        )
            if len(set(ids)) != len(ids):
                self.r.err(
                    rel, doc.line("items", i, "options"), "option ids must differ"
                )
        if ids and str(item.get("key", "")) not in ids:
            self.r.err(
                rel,
                doc.line("items", i, "key"),
                f"'key' must be one of the option ids ({', '.join(ids)})",
            )
        for flag in ("field_test", "released"):
            if flag in item and not isinstance(item[flag], bool):
                self.r.err(
                    rel, doc.line("items", i, flag), f"'{flag}' is true or false"
                )
        irt = item.get("irt")
        if irt is not None:
            ok = isinstance(irt, dict) and all(
                isinstance(irt.get(k, 0), int | float) for k in ("a", "b", "c")
            )
            if (
                not ok
                or not 0 < float(irt.get("a", 1)) <= 4
                or not (0 <= float(irt.get("c", 0)) < 0.5)
            ):
                self.r.err(
                    rel,
                    doc.line("items", i, "irt"),
                    "'irt' needs numbers a in (0, 4], b, c in [0, 0.5)",
                )

    def item_media(self, rel: str, doc: yamlines.YamlDoc, i: int, media: Any) -> None:
        """Check an item's picture: a pack image with a text for each language."""
        line = doc.line("items", i, "media")
        src = media.get("src") if isinstance(media, dict) else None
        if not isinstance(src, str) or not src.strip():
            self.r.err(rel, line, "'media' needs 'src' (an image file) and 'alt'")
            return
        path = item_media_path(rel, src.strip())
        if not path.startswith("items/") or ".." in path.split("/"):
            self.r.err(rel, line, f"image '{src}' must be inside the items folder")
        elif posixpath.splitext(path)[1].lower() not in ITEM_IMAGES:
            self.r.err(
                rel, line, f"image '{src}' must be one of {', '.join(ITEM_IMAGES)}"
            )
        elif not self.r.source.exists(path):
            self.r.err(rel, line, f"missing image '{src}'")
        # Blind learners hear the alt text instead: it must say what matters.
        self.r.text_map(rel, doc, media.get("alt"), "items", i, "media", "alt")

    def blueprints(self, pack: PackData) -> None:
        rel = "blueprints.yaml"
        if not self.r.source.exists(rel):
            return
        doc = self.r.yaml(rel)
        if doc is None:
            return
        entries = doc.data.get("blueprints") if isinstance(doc.data, dict) else None
        if not isinstance(entries, list):
            self.r.err(rel, 1, "blueprints.yaml holds 'blueprints:' followed by a list")
            return
        seen: set[str] = set()
        for i, bp in enumerate(entries):
            line = doc.line("blueprints", i)
            if not isinstance(bp, dict):
                self.r.err(rel, line, f"blueprints[{i}] must be a mapping")
                continue
            group = str(bp.get("target_group", ""))
            if group not in self.r.groups:
                self.r.err(
                    rel,
                    doc.line("blueprints", i, "target_group"),
                    f"unknown target group '{group}'",
                )
            elif group in seen:
                self.r.err(rel, line, f"two blueprints for '{group}'")
            seen.add(group)
            if bp.get("mode") not in ("adaptive", "fixed"):
                self.r.err(
                    rel,
                    doc.line("blueprints", i, "mode"),
                    "'mode' is adaptive or fixed",
                )
            if "pass_level" in bp:
                self.r.level(
                    rel, doc.line("blueprints", i, "pass_level"), bp["pass_level"]
                )
            else:
                self.r.err(rel, line, "missing 'pass_level'")
            if bp.get("mode") == "fixed":
                self.fixed_form(rel, doc, i, bp, pack)
                pack_blueprints(pack).append(bp)
                continue
            if "items" in bp:
                self.r.err(
                    rel,
                    doc.line("blueprints", i, "items"),
                    "only a fixed blueprint lists its 'items'",
                )
            length = bp.get("length", {})
            lo, hi = (
                (length.get("min"), length.get("max"))
                if isinstance(length, dict)
                else (None, None)
            )
            if not (isinstance(lo, int) and isinstance(hi, int) and 1 <= lo <= hi):
                self.r.err(
                    rel,
                    doc.line("blueprints", i, "length"),
                    "'length' needs whole numbers min <= max",
                )
            for key, bounds in (bp.get("content") or {}).items():
                if not isinstance(bounds, dict) or not (
                    isinstance(bounds.get("min", 0), int)
                    and isinstance(bounds.get("max", 0), int)
                    and bounds.get("min", 0) <= bounds.get("max", 10**6)
                ):
                    self.r.err(
                        rel,
                        doc.line("blueprints", i, "content", key),
                        f"content '{key}' needs whole numbers min <= max",
                    )
            self.blueprint_settings(rel, doc, i, bp)
            pack_blueprints(pack).append(bp)

    def whole_settings(
        self, rel: str, doc: yamlines.YamlDoc, i: int, bp: dict[str, Any]
    ) -> bool:
        """Check the whole-number settings; return whether one was wrong."""
        wrong = False
        for key, least, most in _WHOLE_SETTINGS:
            value = bp.get(key)
            if value is not None and (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not least <= value <= most
            ):
                self.r.err(
                    rel,
                    doc.line("blueprints", i, key),
                    f"'{key}' needs a whole number from {least} to {most}",
                )
                wrong = True
        return wrong

    def fixed_form(
        self,
        rel: str,
        doc: yamlines.YamlDoc,
        i: int,
        bp: dict[str, Any],
        pack: PackData,
    ) -> None:
        """Check a fixed form: the pack's items for the group, each once."""
        group = str(bp.get("target_group", ""))
        self.whole_settings(rel, doc, i, bp)
        for key in sorted(ADAPTIVE_ONLY & set(bp)):
            self.r.err(
                rel,
                doc.line("blueprints", i, key),
                f"'{key}' applies to adaptive blueprints only",
            )
        form = bp.get("items")
        if not isinstance(form, list) or not form:
            self.r.err(
                rel,
                doc.line("blueprints", i),
                "a fixed blueprint lists its 'items' (item ids, in order)",
            )
            return
        groups = {
            str(item.get("id")): item.get("target_groups") or ["all"]
            for item in pack_items(pack)
        }
        seen: set[str] = set()
        for k, value in enumerate(form):
            iid = str(value)
            line = doc.line("blueprints", i, "items", k)
            if iid in seen:
                self.r.err(rel, line, f"item '{iid}' is listed twice")
            elif iid not in groups:
                self.r.err(rel, line, f"unknown item '{iid}'")
            elif group not in groups[iid] and "all" not in groups[iid]:
                self.r.err(rel, line, f"item '{iid}' is not for the group '{group}'")
            seen.add(iid)

    def blueprint_settings(
        self,
        rel: str,
        doc: yamlines.YamlDoc,
        i: int,
        bp: dict[str, Any],
    ) -> None:
        """Check the adaptive-test settings: methods, limits, content areas.

        Whether the bank can meet the content minimums is known only once the
        items of every pack are in; a sitting that cannot start says so.
        """
        group = str(bp.get("target_group", ""))
        reported = self.whole_settings(rel, doc, i, bp)
        if str(bp.get("selection", "mfi")) not in SELECTION_METHODS:
            self.r.err(
                rel,
                doc.line("blueprints", i, "selection"),
                f"'selection' is one of {', '.join(ADAPTIVE_SELECTION)}",
            )
            reported = True
        domains = {code.split(".")[0] for code in self.r.competences}
        content = bp.get("content") or {}
        bad_areas = [str(a) for a in content if str(a) not in domains]
        for area in bad_areas:
            self.r.err(
                rel,
                doc.line("blueprints", i, "content", area),
                f"content area '{area}' is not a domain of the framework "
                f"(use {', '.join(sorted(domains))})",
            )
        if reported:  # the settings below would fail again on the same values
            return
        try:
            blueprint_cat_config(bp, 0.0)
        except (ValueError, TypeError, AttributeError) as exc:
            line = (
                doc.line("blueprints", i, "exposure")
                if "exposure" in str(exc)
                else doc.line("blueprints", i)
            )
            self.r.err(rel, line, f"blueprint '{group}': {exc}")
            return


class ItemsSection(PackSection):
    """Exam items (``items/*.yaml``); never shown in lessons nor indexed."""

    key = "items"

    def read(self, reader: PackReader, pack: PackData) -> None:
        pack.parts[self.key] = ItemsPart([])
        _Checks(reader).items(pack)

    def summary(self, pack: PackData) -> dict[str, int]:
        return {"items": len(pack_items(pack))}

    def plan(self, ctx: ImportContext) -> list[PackChange]:
        from hocvuso.assessment.bank import items_plan

        return items_plan(pack=ctx.pack, data=ctx.data, source=ctx.source)

    def write(self, ctx: ImportContext) -> dict[str, int]:
        from hocvuso.assessment.bank import items_import

        return items_import(
            pack=ctx.pack, data=ctx.data, actor=ctx.actor, source=ctx.source
        )


class BlueprintsSection(PackSection):
    """Blueprints (``blueprints.yaml``): a fixed form may list the pack's items."""

    key = "blueprints"
    after = ("items",)

    def read(self, reader: PackReader, pack: PackData) -> None:
        pack.parts[self.key] = BlueprintsPart([])
        _Checks(reader).blueprints(pack)

    def summary(self, pack: PackData) -> dict[str, int]:
        return {"blueprints": len(pack_blueprints(pack))}

    def plan(self, ctx: ImportContext) -> list[PackChange]:
        from hocvuso.assessment.bank import blueprints_plan

        return blueprints_plan(pack=ctx.pack, data=ctx.data)

    def write(self, ctx: ImportContext) -> dict[str, int]:
        from hocvuso.assessment.bank import blueprints_import

        return blueprints_import(pack=ctx.pack, data=ctx.data, actor=ctx.actor)


SECTIONS = [ItemsSection, BlueprintsSection]
