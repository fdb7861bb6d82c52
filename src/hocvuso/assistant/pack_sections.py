"""The assistant's part of a content pack: ``synonyms.yaml``.

The file is optional. It lists groups of equivalent phrases (an abbreviation
and what it stands for, a common misspelling), matched without accents::

    synonyms:
      - [cccd, căn cước công dân]
      - [ck, chuyển khoản]

Importing a pack stores its table and, once the import has committed,
rebuilds the assistant's index in the background (the lessons changed too).
"""

from __future__ import annotations

from dataclasses import dataclass

from hocvuso.assistant.models import SynonymTable
from hocvuso.core.tasks import enqueue_on_commit
from hocvuso.packs.reader import PackData, PackReader
from hocvuso.packs.sections import ImportContext, PackSection

FILE = "synonyms.yaml"


@dataclass
class SynonymsPart:
    """The synonym groups of a pack (empty when it ships none)."""

    groups: list[list[str]]


def pack_synonyms(pack: PackData) -> list[list[str]]:
    """Return the synonym groups read from ``pack``."""
    return pack.part(SynonymsSection.key, SynonymsPart).groups


class SynonymsSection(PackSection):
    """Synonyms and abbreviations for the assistant (``synonyms.yaml``)."""

    key = "synonyms"
    after = ("courses",)

    def read(self, reader: PackReader, pack: PackData) -> None:
        groups: list[list[str]] = []
        pack.parts[self.key] = SynonymsPart(groups)
        if not reader.source.exists(FILE):
            return
        doc = reader.yaml(FILE)
        if doc is None:
            return
        data = doc.data if isinstance(doc.data, dict) else None
        raw = data.get("synonyms") if data is not None else None
        if not isinstance(raw, list):
            reader.err(FILE, 1, "'synonyms' must be a list of groups of phrases")
            return
        for i, group in enumerate(raw):
            line = doc.line("synonyms", i)
            if (
                not isinstance(group, list)
                or len(group) < 2
                or not all(isinstance(p, str) and p.strip() for p in group)
            ):
                reader.err(FILE, line, f"synonyms[{i}] must list 2 or more phrases")
                continue
            groups.append([p.strip() for p in group])

    def summary(self, pack: PackData) -> dict[str, int]:
        return {"synonym groups": len(pack_synonyms(pack))}

    def write(self, ctx: ImportContext) -> dict[str, int]:
        groups = pack_synonyms(ctx.data)
        SynonymTable.objects.update_or_create(
            pack=ctx.pack, defaults={"groups": groups}
        )
        return {"synonym_groups": len(groups)}

    def on_commit(self, ctx: ImportContext) -> None:
        from hocvuso.assistant.tasks import index_rebuild_task

        enqueue_on_commit(index_rebuild_task, ctx.pack.slug)


SECTIONS = [SynonymsSection]
