"""Load framework versions and target groups from the data files."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from hocvuso.core.services import audit_record
from hocvuso.framework.errors import FrameworkDataError, FrameworkLocked
from hocvuso.framework.models import Competence, Domain, Framework, Level, TargetGroup

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_FRAMEWORK_FILE = DATA_DIR / "tt02-2025.yaml"
DEFAULT_TARGET_GROUPS_FILE = DATA_DIR / "target-groups.yaml"


def _text(node: Any, where: str) -> tuple[str, str]:
    if not isinstance(node, Mapping) or not node.get("vi") or not node.get("en"):
        raise FrameworkDataError(f"{where}: needs both 'vi' and 'en' text")
    return str(node["vi"]), str(node["en"])


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FrameworkDataError(f"{path.name}: cannot read: {exc}") from exc
    if not isinstance(data, dict):
        raise FrameworkDataError(f"{path.name}: expected a mapping at the top")
    return data


@dataclass(frozen=True)
class FrameworkLoadResult:
    framework: Framework
    created: bool
    changed: bool


@transaction.atomic
def framework_load(*, path: Path = DEFAULT_FRAMEWORK_FILE) -> FrameworkLoadResult:
    """Create or update the framework version described by ``path``; idempotent.

    Raises ``FrameworkLocked`` when the file changes a version that results
    already reference, and ``FrameworkDataError`` for malformed data.
    """
    data = _read_yaml(path)
    digest = hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    slug, version = str(data.get("id", "")), str(data.get("version", ""))
    if not slug or not version:
        raise FrameworkDataError(f"{path.name}: 'id' and 'version' are required")
    title_vi, title_en = _text(data.get("title"), f"{path.name}: title")
    levels = data.get("levels") or []
    domains = data.get("domains") or []
    if not levels or not domains:
        raise FrameworkDataError(f"{path.name}: 'levels' and 'domains' are required")

    fw = (
        Framework.objects.select_for_update().filter(slug=slug, version=version).first()
    )
    created = fw is None
    if fw is not None and fw.content_hash == digest:
        return FrameworkLoadResult(framework=fw, created=False, changed=False)
    if fw is not None and fw.locked:
        raise FrameworkLocked(
            f"{slug}@{version} is referenced by results and cannot change; "
            "publish the edited framework under a new version."
        )
    if fw is None:
        fw = Framework(slug=slug, version=version)
    fw.title_vi, fw.title_en = title_vi, title_en
    fw.source = str(data.get("source", ""))
    fw.digcomp_version = str(data.get("digcomp_version") or "")
    fw.content_hash = digest
    fw.save()

    for i, lv in enumerate(levels):
        where = f"{path.name}: levels[{i}]"
        tier_vi, tier_en = _text(lv.get("tier"), f"{where}.tier")
        desc_vi, desc_en = _text(lv.get("description"), f"{where}.description")
        Level.objects.update_or_create(
            framework=fw,
            code=str(lv["code"]),
            defaults={
                "number": int(lv["number"]),
                "name_vi": tier_vi,
                "name_en": tier_en,
                "description_vi": desc_vi,
                "description_en": desc_en,
                "digcomp_level": lv.get("digcomp_level"),
            },
        )
    order = 0
    for d_i, dom in enumerate(domains):
        where = f"{path.name}: domains[{d_i}]"
        name_vi, name_en = _text(dom.get("name"), f"{where}.name")
        domain, _ = Domain.objects.update_or_create(
            framework=fw,
            code=str(dom["code"]),
            defaults={
                "name_vi": name_vi,
                "name_en": name_en,
                "digcomp_ref": str(dom.get("digcomp") or ""),
                "order": d_i,
            },
        )
        for c_i, comp in enumerate(dom.get("competences") or []):
            c_vi, c_en = _text(comp.get("name"), f"{where}.competences[{c_i}].name")
            order += 1
            Competence.objects.update_or_create(
                framework=fw,
                code=str(comp["code"]),
                defaults={
                    "domain": domain,
                    "name_vi": c_vi,
                    "name_en": c_en,
                    "digcomp_ref": str(comp.get("digcomp") or ""),
                    "order": order,
                },
            )
    audit_record(
        actor=None,
        action="framework.load" if created else "framework.update",
        obj=fw,
        after={"version": version, "content_hash": digest},
    )
    return FrameworkLoadResult(framework=fw, created=created, changed=True)


@transaction.atomic
def target_groups_load(*, path: Path = DEFAULT_TARGET_GROUPS_FILE) -> int:
    """Create or update target groups from ``path``; return how many exist.

    Existing groups keep a required level changed by an operator in the admin
    only if the file is unchanged for them; the file is the source of truth.
    """
    data = _read_yaml(path)
    fw = (
        Framework.objects.filter(slug=str(data.get("framework", "")))
        .order_by("-created_at")
        .first()
    )
    if fw is None:
        raise FrameworkDataError(
            f"{path.name}: framework {data.get('framework')!r} is not loaded"
        )
    levels = {lv.code: lv for lv in fw.levels.all()}
    for i, grp in enumerate(data.get("groups") or []):
        where = f"{path.name}: groups[{i}]"
        name_vi, name_en = _text(grp.get("name"), f"{where}.name")
        rat_vi, rat_en = _text(grp.get("rationale"), f"{where}.rationale")
        level = levels.get(str(grp.get("required_level")))
        if level is None:
            raise FrameworkDataError(
                f"{where}: unknown required_level {grp.get('required_level')!r}"
            )
        TargetGroup.objects.update_or_create(
            slug=str(grp["slug"]),
            defaults={
                "framework": fw,
                "name_vi": name_vi,
                "name_en": name_en,
                "required_level": level,
                "rationale_vi": rat_vi,
                "rationale_en": rat_en,
                "order": int(grp.get("order", i)),
            },
        )
    return TargetGroup.objects.count()


@transaction.atomic
def framework_lock(*, framework: Framework) -> Framework:
    """Mark ``framework`` immutable (called when a result first references it)."""
    if not framework.locked:
        Framework.objects.filter(pk=framework.pk).update(locked=True)
        framework.locked = True
        audit_record(actor=None, action="framework.lock", obj=framework)
    return framework
