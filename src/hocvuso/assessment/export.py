"""Write the current item bank back as pack files (``items/*.yaml``).

Content editors fix items in the admin; the export lets those fixes (and the
pictures and calibrated parameters) flow back into the open content pack, in
the format ``hocvuso content validate`` checks and ``content import`` reads.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hocvuso.assessment.models import Item
from hocvuso.packs.media import media_read


@dataclass(frozen=True)
class ItemsExport:
    items: int
    files: list[str]
    pictures: int


def _entry(item: Item, groups: list[str]) -> dict[str, Any]:
    """Return an item as a pack entry (the keys ``items/*.yaml`` uses)."""
    c = item.content
    entry: dict[str, Any] = {
        "id": item.slug,
        "competence": item.competence.code,
        "level": item.level.code,
        "target_groups": ["all"] if item.for_all_groups else groups,
        "kind": c.get("kind", "mcq"),
    }
    if c.get("scenario"):
        entry["scenario"] = dict(c["scenario"])
    entry["stem"] = dict(c["stem"])
    entry["options"] = [
        {k: v for k, v in o.items() if k == "id" or v} for o in c["options"]
    ]
    entry["key"] = item.key
    entry["explanation"] = dict(c.get("explanation") or {})
    if not item.irt_provisional:
        entry["irt"] = {
            "a": round(item.irt_a, 4),
            "b": round(item.irt_b, 4),
            "c": round(item.irt_c, 4),
        }
    media = c.get("media")
    if media:
        entry["media"] = {
            "src": "media/" + str(media["src"]).rsplit("/", 1)[-1],
            "alt": dict(media.get("alt") or {}),
        }
    return entry


def items_export(*, out_dir: Path, pack_slug: str | None = None) -> ItemsExport:
    """Write the current items (of one pack, or all) under ``out_dir/items/``.

    One file per framework domain (``d1.yaml`` …), items in id order; pictures
    are copied to ``items/media/``. Existing files of those names are replaced.
    """
    qs = (
        Item.objects.filter(is_current=True)
        .select_related("competence", "level", "pack")
        .prefetch_related("target_groups")
        .order_by("slug")
    )
    if pack_slug:
        qs = qs.filter(pack__slug=pack_slug)
    by_domain: dict[str, list[dict[str, Any]]] = defaultdict(list)
    pictures: list[str] = []
    for item in qs:
        groups = sorted(g.slug for g in item.target_groups.all())
        entry = _entry(item, groups)
        by_domain[item.domain_code].append(entry)
        if "media" in entry:
            pictures.append(str(item.content["media"]["src"]).rsplit("/", 1)[-1])
    items_dir = out_dir / "items"
    items_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for domain, entries in sorted(by_domain.items()):
        path = items_dir / f"d{domain}.yaml"
        text = yaml.safe_dump(
            {"items": entries}, allow_unicode=True, sort_keys=False, width=100
        )
        path.write_text(
            "# Exported by `hocvuso assessment export-items`.\n" + text,
            encoding="utf-8",
        )
        files.append(str(path.relative_to(out_dir)))
    for name in pictures:
        (items_dir / "media").mkdir(exist_ok=True)
        data = media_read(name)
        if data is None:
            raise FileNotFoundError(f"picture {name} is missing from the media storage")
        (items_dir / "media" / name).write_bytes(data)
    return ItemsExport(
        items=sum(len(v) for v in by_domain.values()),
        files=files,
        pictures=len(pictures),
    )
