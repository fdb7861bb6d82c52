"""Validate and import content packs: one transaction, audited, idempotent."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.core.services import audit_record
from hocvuso.packs.errors import Issue, PackInvalid, PackNotFound
from hocvuso.packs.models import ContentPack
from hocvuso.packs.reader import PackReport, pack_read
from hocvuso.packs.sections import (
    ImportContext,
    PackChange,
    ProgressCallback,
    pack_sections,
)
from hocvuso.packs.source import PackSource


@dataclass(frozen=True)
class PackImportResult:
    """What an import did; ``counts`` come from each section (for the audit)."""

    pack: ContentPack
    unchanged: bool
    counts: Mapping[str, int] = field(default_factory=dict)

    def count(self, key: str) -> int:
        """Return one count, 0 when no section reported it."""
        return int(self.counts.get(key, 0))


def pack_digest(source: PackSource) -> str:
    """Return the hash of a pack's files (names and contents)."""
    h = hashlib.sha256()
    for rel in sorted(source.files):
        h.update(rel.encode() + b"\0" + hashlib.sha256(source.files[rel]).digest())
    return h.hexdigest()


def pack_validate(*, source: PackSource, database: bool = True) -> PackReport:
    """Return every problem of a pack, each with its file and line.

    With ``database=False`` nothing is read from the database: the framework
    and target groups shipped in the package are used.
    """
    return pack_read(source, database=database)


@dataclass(frozen=True)
class PackPlan:
    """What importing a pack would change, computed without writing anything."""

    pack_id: str
    version: str
    #: The version imported now; None when the pack is new to this site.
    current_version: str | None
    unchanged: bool
    changes: list[PackChange] = field(default_factory=list)

    def of(self, kind: str, change: str) -> list[str]:
        """Return the ids of one kind of thing with one kind of change."""
        return [c.id for c in self.changes if (c.kind, c.change) == (kind, change)]

    def counts(self) -> dict[str, int]:
        """Return how many changes of each kind: ``{"lessons added": 2, …}``."""
        out: dict[str, int] = {}
        for c in self.changes:
            key = f"{c.kind}s {c.change}"
            out[key] = out.get(key, 0) + 1
        return out


def pack_plan(*, source: PackSource) -> PackPlan:
    """Return what ``pack_import`` would add, change and archive; write nothing.

    Raises ``PackInvalid`` (every problem, with file and line) when the pack
    could not be imported, like the import itself would.
    """
    report = pack_read(source)
    if report.pack is None or report.issues:
        raise PackInvalid(report.issues)
    data = report.pack
    pack = ContentPack.objects.filter(slug=data.id).first()
    current = pack.version if pack is not None else None
    if pack is not None and pack.content_hash == pack_digest(source):
        return PackPlan(data.id, data.version, current, True)
    probe = pack or ContentPack(slug=data.id)  # never saved
    probe.province_id = data.province
    ctx = ImportContext(pack=probe, data=data, source=source, actor=None)
    sections = pack_sections()
    conflicts = [issue for s in sections for issue in s.check_import(ctx)]
    if conflicts:
        raise PackInvalid(conflicts)
    changes = sorted(c for s in sections for c in s.plan(ctx))
    return PackPlan(data.id, data.version, current, False, changes)


@transaction.atomic
def pack_import(
    *,
    source: PackSource,
    actor: AbstractBaseUser | None,
    progress: ProgressCallback | None = None,
    force: bool = False,
    draft: bool | None = False,
) -> PackImportResult:
    """Validate and import a content pack; idempotent and all-or-nothing.

    Every section writes in this one transaction; an unchanged pack (same
    files) is a no-op unless ``force``. Raises ``PackInvalid`` listing every
    problem, before anything is written. Sections' ``on_commit`` work runs
    once the import has committed.

    With ``draft`` a new pack (or one still in draft) is imported as a draft:
    only content editors see its courses until ``pack_publish``. A published
    pack is never taken back to draft by an import (its learners would lose
    its courses): ``draft`` is refused for it. Without ``draft`` the pack is
    imported published, as before drafts existed. ``draft=None`` (uploads in
    the admin) makes a new pack a draft and keeps a published one published.
    """
    report = pack_read(source)
    if report.pack is None or report.issues:
        raise PackInvalid(report.issues)
    data = report.pack
    digest = pack_digest(source)
    pack = ContentPack.objects.select_for_update().filter(slug=data.id).first()
    published = pack is not None and pack.status == ContentPack.Status.PUBLISHED
    if draft is None:
        draft = not published
    if draft and pack is not None and published:
        raise PackInvalid([pack_published_issue(pack)])
    status = ContentPack.Status.DRAFT if draft else ContentPack.Status.PUBLISHED
    if pack is not None and pack.content_hash == digest and not force:
        if pack.status != status:
            _status_set(pack, status=status, actor=actor)
        return PackImportResult(pack, True, report.summary)
    before = {"version": pack.version} if pack else None
    if pack is None:
        pack = ContentPack(slug=data.id)
    ctx = ImportContext(
        pack=pack, data=data, source=source, actor=actor, progress=progress
    )
    sections = pack_sections()
    conflicts = [issue for s in sections for issue in s.check_import(ctx)]
    if conflicts:
        raise PackInvalid(conflicts)
    pack.version = data.version
    pack.title_vi = data.title.get("vi", "")
    pack.title_en = data.title.get("en", "")
    pack.framework_slug = data.framework
    pack.license = data.license
    pack.province_id = data.province
    pack.content_hash = digest
    pack.imported_at = timezone.now()
    pack.status = status
    pack.save()
    for section in sections:
        ctx.counts |= section.write(ctx)
    audit_record(
        actor=actor,
        action="content_pack.import",
        obj=pack,
        before=before,
        after={"version": pack.version, "status": pack.status, **ctx.counts},
    )
    for section in sections:
        transaction.on_commit(lambda s=section: s.on_commit(ctx))  # type: ignore[misc]
    return PackImportResult(pack, False, dict(ctx.counts))


def pack_published_issue(pack: ContentPack) -> Issue:
    """Return the problem of a draft import over a published pack."""
    return Issue(
        "pack.yaml",
        1,
        _(
            "Pack %(slug)s is published: importing it as a draft would take its "
            "courses away from learners. Import it without --draft, or give the "
            "draft a new pack id."
        )
        % {"slug": pack.slug},
    )


def _status_set(
    pack: ContentPack, *, status: str, actor: AbstractBaseUser | None
) -> None:
    before = pack.status
    pack.status = status
    pack.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="content_pack.publish"
        if status == ContentPack.Status.PUBLISHED
        else "content_pack.draft",
        obj=pack,
        before={"status": before},
        after={"status": status},
    )


@transaction.atomic
def pack_publish(*, slug: str, actor: AbstractBaseUser | None) -> ContentPack:
    """Publish a draft pack: its courses and lessons reach learners (audited).

    Idempotent: publishing a published pack changes nothing. Raises
    ``PackNotFound`` for an unknown pack id.
    """
    pack = ContentPack.objects.select_for_update().filter(slug=slug).first()
    if pack is None:
        raise PackNotFound(_("There is no content pack '%(slug)s'.") % {"slug": slug})
    if pack.status != ContentPack.Status.PUBLISHED:
        _status_set(pack, status=ContentPack.Status.PUBLISHED, actor=actor)
    return pack
