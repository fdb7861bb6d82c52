"""A section like a new app would add: visit checklists in ``checklists/``."""

from __future__ import annotations

from dataclasses import dataclass

from hocvuso.core.models import AuditLog
from hocvuso.packs.reader import PackData, PackReader
from hocvuso.packs.sections import ImportContext, PackSection

#: Packs whose import committed, in order (the test reads it).
COMMITTED: list[str] = []


@dataclass
class ChecklistsPart:
    titles: dict[str, dict[str, str]]


class ChecklistsSection(PackSection):
    key = "checklists"
    after = ("courses",)

    def read(self, reader: PackReader, pack: PackData) -> None:
        titles: dict[str, dict[str, str]] = {}
        for rel in reader.source.glob("checklists/", ".yaml"):
            doc = reader.yaml(rel)
            if doc is None:
                continue
            if not isinstance(doc.data, dict) or "steps" not in doc.data:
                reader.err(rel, 1, "a checklist needs 'steps'")
                continue
            titles[rel] = reader.text_map(rel, doc, doc.data.get("title"), "title")
            steps = doc.data["steps"]
            if not isinstance(steps, list) or not steps:
                reader.err(rel, doc.line("steps"), "'steps' must be a non-empty list")
        pack.parts[self.key] = ChecklistsPart(titles)

    def summary(self, pack: PackData) -> dict[str, int]:
        return {"checklists": len(pack.part(self.key, ChecklistsPart).titles)}

    def write(self, ctx: ImportContext) -> dict[str, int]:
        titles = ctx.data.part(self.key, ChecklistsPart).titles
        for rel in titles:
            AuditLog.objects.create(
                action="example.checklist",
                object_type="packs.contentpack",
                object_id=str(ctx.pack.pk),
                object_label=rel,
            )
        return {"checklists": len(titles)}

    def on_commit(self, ctx: ImportContext) -> None:
        COMMITTED.append(ctx.pack.slug)


SECTIONS = [ChecklistsSection]
