"""Read and check a content pack (see docs/content-packs.md).

``pack_read(source)`` returns the parsed pack and every problem found, each with
its file and line, so an author can fix them all in one pass. The generic part
(``pack.yaml``, YAML with lines, translations, competences, levels, target
groups) lives here; each app's :class:`~hocvuso.packs.sections.PackSection`
reads its own files. Nothing here writes to the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml

from hocvuso.framework.selectors import framework_codes, target_group_slugs
from hocvuso.packs import languages as pack_languages
from hocvuso.packs import yamlines
from hocvuso.packs.errors import Issue
from hocvuso.packs.sections import pack_sections
from hocvuso.packs.source import PackSource

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

T = TypeVar("T")


@dataclass
class PackData:
    """What ``pack.yaml`` says, plus each section's parsed part by its key."""

    id: str
    version: str
    framework: str
    languages: list[str]
    title: dict[str, str]
    license: str
    #: Code of the province that publishes the pack; None for a national pack.
    province: int | None = None
    parts: dict[str, object] = field(default_factory=dict)

    def part(self, key: str, kind: type[T]) -> T:
        """Return the part a section stored under ``key``, of type ``kind``."""
        value = self.parts.get(key)
        if not isinstance(value, kind):
            raise LookupError(f"the pack has no '{key}' part of type {kind.__name__}")
        return value


@dataclass
class PackReport:
    pack: PackData | None
    issues: list[Issue]
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.pack is not None and not self.issues


class PackReader:
    """The generic checks sections use; collects every problem found."""

    def __init__(self, source: PackSource, *, database: bool = True) -> None:
        self.source = source
        self.database = database
        self.issues: list[Issue] = []
        self.competences: set[str] = set()
        self.levels: dict[str, int] = {}
        self.groups = target_group_slugs(database=database)
        self.languages: list[str] = ["vi"]

    def err(self, file: str, line: int, message: str) -> None:
        """Report a problem at ``file``:``line``."""
        self.issues.append(Issue(file, line, message))

    def yaml(
        self, rel: str, text: str | None = None, offset: int = 0
    ) -> yamlines.YamlDoc | None:
        """Return a pack file parsed with lines, or None after reporting why not."""
        try:
            raw = self.source.text(rel) if text is None else text
        except UnicodeDecodeError:
            self.err(rel, 1, "file is not UTF-8 text")
            return None
        try:
            return yamlines.load(raw, line_offset=offset)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = (mark.line + 1 if mark else 1) + offset
            problem = getattr(exc, "problem", None) or str(exc)
            self.err(rel, line, f"invalid YAML: {problem}")
            return None

    def text_map(
        self, rel: str, doc: yamlines.YamlDoc, node: Any, *path: str | int
    ) -> dict[str, str]:
        """Return a text per pack language, reporting each missing one."""
        name = ".".join(str(p) for p in path)
        if not isinstance(node, dict):
            self.err(
                rel,
                doc.line(*path),
                f"'{name}' needs a text per language: {', '.join(self.languages)}",
            )
            return {}
        out: dict[str, str] = {}
        for lang in self.languages:
            value = node.get(lang)
            if isinstance(value, str) and value.strip():
                out[lang] = value.strip()
            elif pack_languages.is_partial(lang) and value is None:
                continue  # learners read the Vietnamese instead
            else:
                self.err(rel, doc.line(*path), f"missing translation: '{name}.{lang}'")
        return out

    def groups_list(
        self, rel: str, doc: yamlines.YamlDoc, node: Any, *path: str | int
    ) -> list[str]:
        """Return a list of target groups (or ``all``), reporting unknown ones."""
        if not isinstance(node, list) or not node:
            self.err(rel, doc.line(*path), "'target_groups' must be a non-empty list")
            return []
        out = []
        for i, g in enumerate(node):
            g = str(g)
            if g != "all" and g not in self.groups:
                self.err(
                    rel,
                    doc.line(*path, i),
                    f"unknown target group '{g}' "
                    f"(known: all, {', '.join(sorted(self.groups))})",
                )
            out.append(g)
        return out

    def competence(self, rel: str, line: int, value: Any) -> str | None:
        """Return a competence id of the pack's framework, or None after a report."""
        if isinstance(value, float | int):
            self.err(rel, line, f'competence id {value} must be quoted: "{value}"')
            return None
        code = str(value)
        if code not in self.competences:
            self.err(rel, line, f"unknown competence id '{code}'")
            return None
        return code

    def level(self, rel: str, line: int, value: Any) -> str | None:
        """Return a level code of the pack's framework, or None after a report."""
        code = str(value)
        if code not in self.levels:
            self.err(
                rel,
                line,
                f"unknown level '{code}' (use one of {', '.join(self.levels)})",
            )
            return None
        return code

    def pack_meta(self) -> PackData | None:
        """Read ``pack.yaml``; return None when the pack cannot be read further."""
        rel = "pack.yaml"
        if not self.source.exists(rel):
            self.err(rel, 1, "pack.yaml is missing at the top of the pack")
            return None
        doc = self.yaml(rel)
        if doc is None:
            return None
        data = doc.data
        if not isinstance(data, dict):
            self.err(rel, 1, "pack.yaml must be a mapping")
            return None
        for key in ("id", "version", "framework", "languages", "title"):
            if key not in data:
                self.err(rel, 1, f"missing '{key}'")
        pack_id = str(data.get("id", ""))
        if pack_id and not SLUG.match(pack_id):
            self.err(rel, doc.line("id"), f"pack id '{pack_id}' must be a slug")
        langs = data.get("languages")
        if isinstance(langs, list) and langs and all(isinstance(x, str) for x in langs):
            if langs[0] != "vi":
                self.err(rel, doc.line("languages"), "the first language must be 'vi'")
            for i, lang in enumerate(langs):
                if lang not in pack_languages.KNOWN:
                    self.err(
                        rel,
                        doc.line("languages", i),
                        f"unknown language '{lang}' (known: "
                        f"{', '.join(sorted(pack_languages.KNOWN))})",
                    )
                elif langs.index(lang) != i:
                    self.err(rel, doc.line("languages", i), f"'{lang}' is listed twice")
            self.languages = list(dict.fromkeys(langs))
        elif "languages" in data:
            self.err(
                rel, doc.line("languages"), "'languages' must be a list like [vi, en]"
            )
        fw = str(data.get("framework", ""))
        codes = framework_codes(slug=fw, database=self.database) if fw else None
        if codes is None and fw:
            self.err(rel, doc.line("framework"), f"unknown framework '{fw}'")
        if codes is not None:
            self.competences, self.levels = codes
        title = self.text_map(rel, doc, data.get("title"), "title")
        return PackData(
            id=pack_id,
            version=str(data.get("version", "")),
            framework=fw,
            languages=self.languages,
            title=title,
            license=str(data.get("license", "")),
            province=self.province(rel, doc, data.get("province")),
        )

    def province(self, rel: str, doc: yamlines.YamlDoc, value: Any) -> int | None:
        """Return the code of the pack's province (``province:``), None if national."""
        if value is None:
            return None
        codes = province_codes()
        if isinstance(value, bool) or not isinstance(value, int) or value not in codes:
            self.err(
                rel,
                doc.line("province"),
                f"'province' must be the code of a province, such as 79 for "
                f"Thành phố Hồ Chí Minh (got '{value}')",
            )
            return None
        return value


def province_codes() -> dict[int, str]:
    """Return the provinces' codes and names (shipped data; no database)."""
    from vietnam_provinces import Province

    return {int(p.code): str(p.name) for p in Province.iter_all()}


def pack_read(source: PackSource, *, database: bool = True) -> PackReport:
    """Parse ``source`` and return the pack with every problem found.

    With ``database=False`` the framework and target groups are those shipped
    in the package, so a pack can be checked where no database exists.
    """
    reader = PackReader(source, database=database)
    pack = reader.pack_meta()
    if pack is None:
        return PackReport(None, sorted(reader.issues))
    summary: dict[str, int] = {}
    for section in pack_sections():
        section.read(reader, pack)
        summary |= section.summary(pack)
    return PackReport(pack, sorted(set(reader.issues)), summary)
