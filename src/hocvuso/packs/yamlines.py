"""YAML loading that remembers the line of every key and list entry."""

from __future__ import annotations

from typing import Any

import yaml

Path_ = tuple[str | int, ...]
# libyaml's parser when PyYAML was built with it (it is ~10x faster).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlDoc:
    """Parsed YAML plus ``line(path)`` giving the 1-based line of a node."""

    def __init__(self, data: Any, lines: dict[Path_, int], offset: int = 0) -> None:
        self.data = data
        self._lines = lines
        self._offset = offset

    def line(self, *path: str | int) -> int:
        """Return the line of ``path`` or of its nearest ancestor."""
        p: Path_ = tuple(path)
        while p and p not in self._lines:
            p = p[:-1]
        return self._lines.get(p, 1) + self._offset


def _walk(node: yaml.Node, path: Path_, out: dict[Path_, int]) -> None:
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            out[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            out[(*path, i)] = child.start_mark.line + 1
            _walk(child, (*path, i), out)


class AnchorRefused(yaml.MarkedYAMLError):
    """A pack file uses an anchor or alias (refused: an alias bomb is 2 KB)."""


def _refuse_anchors(text: str) -> None:
    """Raise :class:`AnchorRefused` at the first anchor or alias in ``text``.

    Pack files are written by hand and never need ``&anchor``/``*alias``; a few
    nested aliases expand to billions of nodes (a "billion laughs" bomb), so
    they are refused before any node is composed.
    """
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            at = event.start_mark
            mark = (
                yaml.error.Mark("<pack>", at.index, at.line, at.column, None, 0)
                if at is not None
                else None
            )
            raise AnchorRefused(
                problem="anchors and aliases (& and *) are not allowed in packs",
                problem_mark=mark,
            )


def load(text: str, *, line_offset: int = 0) -> YamlDoc:
    """Parse ``text`` (raises ``yaml.YAMLError`` with a position on bad YAML).

    Anchors and aliases are refused (:class:`AnchorRefused`).
    """
    _refuse_anchors(text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return YamlDoc(data, lines, line_offset)
