"""The seam through which apps contribute parts of a content pack.

An app that keeps data in packs (learning: courses and lessons; assessment:
items and blueprints; later certificate templates, indicators, synonyms…)
defines :class:`PackSection` subclasses in its own ``pack_sections.py`` and
lists them in a module-level ``SECTIONS``. The packs app finds them in every
installed app, orders them by ``after``, and calls them:

- ``read`` while a pack is validated: parse the section's files, report every
  problem with its file and line through the reader, store the parsed data in
  ``pack.parts[key]``. It must not write anything (it runs with no database
  when an author validates a pack in their own CI).
- ``check_import`` just before writing: problems that need the database (an
  id owned by another pack). Nothing is written if any section reports one.
- ``write`` inside the import transaction; returns counts for the audit row.
- ``plan`` for a dry run: what ``write`` would add, change or archive,
  compared with what the database holds; it writes nothing.
- ``on_commit`` after the import committed (enqueue follow-up tasks here).

Nobody appends to another app's globals: a new app plugs in by creating its
own folder (Kolibri's hooks are the model).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from django.apps import apps

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from hocvuso.packs.errors import Issue
    from hocvuso.packs.models import ContentPack
    from hocvuso.packs.reader import PackData, PackReader
    from hocvuso.packs.source import PackSource

ProgressCallback = Callable[[int, int, str], None]

MODULE = "pack_sections"


@dataclass
class ImportContext:
    """What a section's ``write`` and ``on_commit`` get: the pack being imported."""

    pack: ContentPack
    data: PackData
    source: PackSource
    actor: AbstractBaseUser | None
    progress: ProgressCallback | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def report(self, done: int, total: int, label: str) -> None:
        """Tell the caller how far the import is (for a progress bar)."""
        if self.progress is not None:
            self.progress(done, total, label)


@dataclass(frozen=True, order=True)
class PackChange:
    """One thing a new version of a pack would change (``content import --dry-run``).

    ``kind`` names what (course, lesson, item, blueprint), ``id`` its stable
    id in the pack, ``change`` one of :data:`CHANGES`.
    """

    kind: str
    change: str
    id: str


#: What a change can be: new, edited, or gone from the pack (archived/retired).
CHANGES = ("added", "changed", "archived")


class PackSection:
    """One part of a pack, owned by the app that defines it."""

    #: Stable name; ``pack.parts[key]`` holds what ``read`` parsed.
    key: ClassVar[str]
    #: Keys of the sections this one needs read (and written) before it.
    after: ClassVar[tuple[str, ...]] = ()

    def read(self, reader: PackReader, pack: PackData) -> None:
        """Parse this section's files; report problems; write nothing."""
        raise NotImplementedError

    def check_import(self, ctx: ImportContext) -> list[Issue]:
        """Return problems only the database can show; none by default."""
        return []

    def write(self, ctx: ImportContext) -> dict[str, int]:
        """Write this section inside the import transaction; return counts."""
        return {}

    def plan(self, ctx: ImportContext) -> list[PackChange]:
        """Return what ``write`` would change, reading the database only.

        Must write nothing (no rows, no media): it runs for a dry run and
        before an editor confirms an upload. None by default.
        """
        return []

    def on_commit(self, ctx: ImportContext) -> None:
        """Start follow-up work once the import has committed; none by default."""

    def summary(self, pack: PackData) -> dict[str, int]:
        """Return counts of what was read, for ``content validate``."""
        return {}


class SectionOrderError(Exception):
    """Sections name an ``after`` that is missing or circular."""


def _ordered(found: Sequence[PackSection]) -> list[PackSection]:
    by_key = {s.key: s for s in found}
    if len(by_key) != len(found):
        keys = [s.key for s in found]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        raise SectionOrderError(f"two pack sections share the key {', '.join(dup)}")
    done: list[PackSection] = []
    state: dict[str, int] = {}

    def visit(section: PackSection, chain: tuple[str, ...]) -> None:
        if state.get(section.key) == 2:
            return
        if state.get(section.key) == 1:
            cycle = " → ".join((*chain, section.key))
            raise SectionOrderError(f"pack sections wait for each other: {cycle}")
        state[section.key] = 1
        for key in section.after:
            if key not in by_key:
                raise SectionOrderError(
                    f"pack section '{section.key}' comes after '{key}', "
                    "which no installed app defines"
                )
            visit(by_key[key], (*chain, section.key))
        state[section.key] = 2
        done.append(section)

    for section in found:  # app order first, then each one's ``after``
        visit(section, ())
    return done


_cache: dict[tuple[str, ...], list[PackSection]] = {}


def pack_sections() -> list[PackSection]:
    """Return every installed app's pack sections, each after those it needs."""
    names = tuple(cfg.name for cfg in apps.get_app_configs())
    if names not in _cache:
        found: list[PackSection] = []
        for name in names:
            module_name = f"{name}.{MODULE}"
            if importlib.util.find_spec(module_name) is None:
                continue
            module = importlib.import_module(module_name)
            found.extend(cls() for cls in getattr(module, "SECTIONS", ()))
        _cache.clear()  # the installed apps changed (tests add apps)
        _cache[names] = _ordered(found)
    return _cache[names]
