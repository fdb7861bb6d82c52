"""Import items and blueprints from content packs; build CAT item banks."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q, QuerySet

from hocvuso.accounts.models import User
from hocvuso.assessment.models import (
    ITEM_SCHEMA_VERSION,
    Blueprint,
    Item,
    ItemExposure,
    Response,
)
from hocvuso.assessment.pack_sections import (
    blueprint_cat_config,
    item_media_path,
    pack_blueprints,
    pack_items,
)
from hocvuso.assessment.scale import PROVISIONAL_A, PROVISIONAL_C, level_b, level_cut
from hocvuso.core.services import audit_record
from hocvuso.framework.models import Competence, Level, TargetGroup
from hocvuso.packs.media import media_store, media_url_of
from hocvuso.packs.models import ContentPack
from hocvuso.packs.reader import PackData
from hocvuso.packs.sections import PackChange
from hocvuso.packs.source import PackSource
from hocvuso.psychometrics import ItemBank


def _content(
    raw: dict[str, Any], source: PackSource | None, *, dry: bool = False
) -> dict[str, Any]:
    kind = str(raw.get("kind", "mcq"))
    content = {
        "schema_version": ITEM_SCHEMA_VERSION,
        "kind": kind,
        "scenario": raw.get("scenario") if kind == "scenario" else None,
        "stem": raw["stem"],
        "options": [
            {"id": str(o["id"]), "vi": str(o["vi"]), "en": str(o.get("en", ""))}
            for o in raw["options"]
        ],
        "explanation": raw.get("explanation") or {},
    }
    media = raw.get("media")
    if isinstance(media, dict) and source is not None:
        # Only items with a picture carry the key: the others keep their hash.
        path = item_media_path(str(raw.get("_file", "items/")), str(media["src"]))
        store = media_url_of if dry else media_store
        content["media"] = {
            "src": store(path, source.files[path]),
            "alt": dict(media.get("alt") or {}),
        }
    return content


def _hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def _item_digest(raw: dict[str, Any], content: dict[str, Any], level: str) -> str:
    # The flags join the hash only when set, so packs without them keep the
    # hashes (and versions) they had.
    flags = {k: True for k in ("field_test", "released") if raw.get(k)}
    return _hash(
        content
        | {"key": str(raw["key"]), "competence": raw["competence"], "level": level}
        | {"groups": sorted(raw.get("target_groups") or ["all"])}
        | flags
    )


def items_plan(
    *, pack: ContentPack, data: PackData, source: PackSource | None = None
) -> list[PackChange]:
    """Return the items an import would add, change or retire; write nothing."""
    current = (
        dict(
            Item.objects.filter(pack=pack, is_current=True).values_list(
                "slug", "content_hash"
            )
        )
        if pack.pk
        else {}
    )
    changes = []
    seen = set()
    for raw in pack_items(data):
        slug = str(raw["id"])
        seen.add(slug)
        digest = _item_digest(raw, _content(raw, source, dry=True), str(raw["level"]))
        if slug not in current:
            changes.append(PackChange("item", "added", slug))
        elif current[slug] != digest:
            changes.append(PackChange("item", "changed", slug))
    changes += [
        PackChange("item", "archived", slug) for slug in current if slug not in seen
    ]
    return changes


def blueprints_plan(*, pack: ContentPack, data: PackData) -> list[PackChange]:
    """Return the blueprints an import would add or change; write nothing."""
    levels = {
        lv.code: lv for lv in Level.objects.filter(framework__slug=data.framework)
    }
    existing = {
        bp.target_group.slug: bp
        for bp in Blueprint.objects.filter(
            Q(province__isnull=True)
            if data.province is None
            else Q(province_id=data.province)
        ).select_related("target_group", "pass_level")
    }
    changes = []
    for bp in pack_blueprints(data):
        group = str(bp["target_group"])
        level = levels[str(bp["pass_level"])]
        config = blueprint_cat_config(bp, level_cut(level.number)).to_dict()
        old = existing.get(group)
        form = [str(x) for x in bp.get("items") or []] if bp["mode"] == "fixed" else []
        wanted = (
            pack.pk,
            bp["mode"],
            level.code,
            config,
            form,
            int(bp.get("time_limit_minutes", 40)),
            int(bp.get("retake_cooldown_days", 7)),
            int(bp.get("retake_cooldown_after_pass_days", 0)),
        )
        if old is None:
            changes.append(PackChange("blueprint", "added", group))
        elif wanted != (
            old.pack_id,
            old.mode,
            old.pass_level.code,
            old.config,
            old.form,
            old.time_limit_minutes,
            old.retake_cooldown_days,
            old.retake_cooldown_after_pass_days,
        ):
            changes.append(PackChange("blueprint", "changed", group))
    return changes


def items_import(
    *,
    pack: ContentPack,
    data: PackData,
    actor: AbstractBaseUser | None,
    source: PackSource | None = None,
) -> dict[str, int]:
    """Create or update the pack's items; never edit a delivered item in place.

    Returns counts for the audit entry. Items missing from the pack stop being
    current (they stay for the history of delivered tests).
    """
    comps = {
        c.code: c
        for c in Competence.objects.filter(framework__slug=data.framework).order_by(
            "framework__created_at"
        )
    }
    levels = {
        lv.code: lv for lv in Level.objects.filter(framework__slug=data.framework)
    }
    groups = {g.slug: g for g in TargetGroup.objects.all()}
    current = {i.slug: i for i in Item.objects.filter(pack=pack, is_current=True)}
    used = set(
        Response.objects.filter(item__in=current.values()).values_list(
            "item_id", flat=True
        )
    )
    counts = {"items_created": 0, "items_updated": 0, "items_versioned": 0}
    seen: set[str] = set()
    for raw in pack_items(data):
        slug = str(raw["id"])
        seen.add(slug)
        content = _content(raw, source)
        level = levels[str(raw["level"])]
        fields = {
            "competence": comps[str(raw["competence"])],
            "level": level,
            "content": content,
            "key": str(raw["key"]),
            "field_test": bool(raw.get("field_test", False)),
            "released": bool(raw.get("released", False)),
        }
        digest = _item_digest(raw, content, level.code)
        irt = raw.get("irt")
        params = (
            {
                "irt_a": float(irt.get("a", 1.0)),
                "irt_b": float(irt.get("b", 0.0)),
                "irt_c": float(irt.get("c", 0.0)),
                "irt_provisional": False,
                "irt_source": "pack",
            }
            if isinstance(irt, dict)
            else {
                "irt_a": PROVISIONAL_A,
                "irt_b": level_b(level.number),
                "irt_c": PROVISIONAL_C,
                "irt_provisional": True,
                "irt_source": "level rule",
            }
        )
        old = current.get(slug)
        if old is not None and old.content_hash == digest:
            continue
        if old is not None and old.pk in used:
            Item.objects.filter(pk=old.pk).update(is_current=False)
            item = Item.objects.create(
                slug=slug,
                version=old.version + 1,
                pack=pack,
                content_hash=digest,
                **fields,
                **params,
            )
            counts["items_versioned"] += 1
        elif old is not None:
            for k, v in (fields | params).items():
                setattr(old, k, v)
            old.content_hash = digest
            old.save()
            item = old
            counts["items_updated"] += 1
        else:
            item = Item.objects.create(
                slug=slug, pack=pack, content_hash=digest, **fields, **params
            )
            counts["items_created"] += 1
        slugs = [str(g) for g in raw.get("target_groups") or ["all"]]
        item.for_all_groups = "all" in slugs
        item.save(update_fields=["for_all_groups"])
        item.target_groups.set([groups[g] for g in slugs if g in groups])
        audit_record(
            actor=actor,
            action="item.version" if item.version > 1 else "item.import",
            obj=item,
            after={"version": item.version, "hash": digest[:12]},
        )
    retired = (
        Item.objects.filter(pack=pack, is_current=True)
        .exclude(slug__in=seen)
        .update(is_current=False)
    )
    counts["items_retired"] = retired
    return counts


def blueprints_import(
    *, pack: ContentPack, data: PackData, actor: AbstractBaseUser | None
) -> dict[str, int]:
    levels = {
        lv.code: lv for lv in Level.objects.filter(framework__slug=data.framework)
    }
    n = 0
    for bp in pack_blueprints(data):
        group = TargetGroup.objects.get(slug=bp["target_group"])
        level = levels[str(bp["pass_level"])]
        config = blueprint_cat_config(bp, level_cut(level.number))
        obj, created = Blueprint.objects.update_or_create(
            target_group=group,
            # A provincial pack's blueprint overrides for its province only.
            province=pack.province,
            defaults={
                "pack": pack,
                "mode": bp["mode"],
                "pass_level": level,
                "config": config.to_dict(),
                "form": [str(x) for x in bp.get("items") or []]
                if bp["mode"] == Blueprint.Mode.FIXED
                else [],
                "time_limit_minutes": int(bp.get("time_limit_minutes", 40)),
                "retake_cooldown_days": int(bp.get("retake_cooldown_days", 7)),
                "retake_cooldown_after_pass_days": int(
                    bp.get("retake_cooldown_after_pass_days", 0)
                ),
                "min_correct": int(bp.get("min_correct", 1)),
                "field_test_slots": int(bp.get("field_test_slots", 0)),
            },
        )
        audit_record(
            actor=actor,
            action="blueprint.import" if created else "blueprint.update",
            obj=obj,
            after={"pass_level": level.code, "mode": obj.mode},
        )
        n += 1
    return {"blueprints": n}


def items_for_group(group: TargetGroup, *, field_test: bool = False) -> QuerySet[Item]:
    """Return the current operational (or field-test) items a group may get."""
    return (
        Item.objects.filter(is_current=True, field_test=field_test)
        .filter(Q(for_all_groups=True) | Q(target_groups=group))
        .select_related("competence", "level")
        .distinct()
        .order_by("slug")
    )


def form_item_ids(blueprint: Blueprint) -> list[str]:
    """Return the ids of a fixed form's current items, in the form's order.

    An item of the form that is no longer current (retired from the pack) is
    left out; the caller decides whether the form can still be given.
    """
    rows = dict(
        Item.objects.filter(
            pack_id=blueprint.pack_id, is_current=True, slug__in=blueprint.form
        ).values_list("slug", "pk")
    )
    return [str(rows[slug]) for slug in blueprint.form if slug in rows]


def bank_for(
    items: list[Item],
    *,
    sh_k: list[float] | None = None,
    eligibility: list[float] | None = None,
) -> ItemBank:
    """Return the CAT bank of ``items``, content areas = framework domains."""
    return ItemBank.from_arrays(
        [str(i.pk) for i in items],
        [i.irt_a for i in items],
        [i.irt_b for i in items],
        [i.irt_c for i in items],
        areas=[i.domain_code for i in items],
        sh_k=sh_k,
        eligibility=eligibility,
    )


def exposure_parameters(blueprint: Blueprint, items: list[Item]) -> dict[str, Any]:
    """Return ``bank_for`` keyword arguments with the blueprint's exposure values.

    Items without a stored value (new since the last ``calibrate-exposure``)
    get 1: always eligible, never set aside.
    """
    method = str(blueprint.config.get("exposure", ""))
    if method not in ("eligibility", "sympson_hetter"):
        return {}
    stored = dict(
        ItemExposure.objects.filter(blueprint=blueprint, method=method).values_list(
            "item_id", "value"
        )
    )
    if not stored:
        return {}
    values = [float(stored.get(i.pk, 1.0)) for i in items]
    return {"sh_k": values} if method == "sympson_hetter" else {"eligibility": values}


def item_save(
    *,
    actor: User | None,
    item: Item,
    content: dict[str, Any],
    key: str,
    competence: Competence,
    level: Level,
) -> Item:
    """Save an edited item: in place if never delivered, else as a new version.

    Returns the row that now holds the item (the same or a new version); the
    change is audited either way. Re-importing the pack keeps the edit unless
    the pack itself changes the item (then the pack's text wins, audited).
    """
    from django.db import transaction

    with transaction.atomic():
        old = Item.objects.select_for_update().get(pk=item.pk)
        before = {
            "content": old.content,
            "key": old.key,
            "competence": old.competence.code,
            "level": old.level.code,
        }
        after = {
            "content": content,
            "key": key,
            "competence": competence.code,
            "level": level.code,
        }
        if before == after:
            return old
        # ``content_hash`` stays the hash of the pack entry the item came from:
        # a later import of a pack that did not change this item keeps the edit.
        digest = old.content_hash
        delivered = Response.objects.filter(item=old).exists()
        if delivered:
            groups = list(old.target_groups.all())
            Item.objects.filter(pk=old.pk).update(is_current=False)
            new = Item.objects.create(
                slug=old.slug,
                version=old.version + 1,
                pack=old.pack,
                competence=competence,
                level=level,
                content=content,
                key=key,
                content_hash=digest,
                for_all_groups=old.for_all_groups,
                irt_a=old.irt_a,
                irt_b=old.irt_b,
                irt_c=old.irt_c,
                irt_provisional=True,
                irt_source=f"edited from v{old.version}",
            )
            new.target_groups.set(groups)
            audit_record(
                actor=actor, action="item.version", obj=new, before=before, after=after
            )
            return new
        Item.objects.filter(pk=old.pk).update(
            content=content,
            key=key,
            competence=competence,
            level=level,
            content_hash=digest,
        )
        audit_record(
            actor=actor, action="item.edit", obj=old, before=before, after=after
        )
        old.refresh_from_db()
        return old
