"""CSV formats of the ``hocvuso irt`` command (documented in docs/psychometrics.md).

Responses (long form)
    Header with the columns ``person_id``, ``item_id`` and ``response`` (any
    order; other columns are ignored), then one row per administered item:
    ``response`` is ``0`` or ``1``.  An absent row means "not administered"; a
    (person, item) pair may occur once.

Item parameters
    Header with ``item_id``, ``a``, ``b`` and optionally ``c`` (default 0) plus any
    other columns (for example a content area named by ``--content-col``).
    ``a > 0``, ``b`` finite, ``0 <= c < 1``, item ids unique.

Files are UTF-8 (a byte-order mark is accepted), comma-separated, with optional
double quotes as in RFC 4180.  Blank lines are skipped.  Every problem is reported
as an :class:`~hocvuso.psychometrics.errors.InputFormatError` carrying the file
name and the 1-based line number (the header is line 1).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hocvuso.psychometrics._util import FloatArray
from hocvuso.psychometrics.calibration import LongResponses
from hocvuso.psychometrics.errors import InputFormatError

__all__ = [
    "ParamsFile",
    "ResponsesFile",
    "read_params_csv",
    "read_responses_csv",
    "write_params_csv",
]

RESPONSE_COLUMNS = ("person_id", "item_id", "response")
PARAM_COLUMNS = ("item_id", "a", "b")


@dataclass(frozen=True, eq=False)
class ResponsesFile:
    """Parsed responses: ids in order of first appearance plus long-form data."""

    person_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    data: LongResponses


@dataclass(frozen=True, eq=False)
class ParamsFile:
    """Parsed item parameters; ``areas`` holds the content column when asked."""

    item_ids: tuple[str, ...]
    a: FloatArray
    b: FloatArray
    c: FloatArray
    areas: tuple[str, ...] | None
    lines: tuple[int, ...]


def _read_text(path: str | Path) -> str:
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputFormatError(name, None, f"cannot read file: {exc.strerror}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFormatError(name, line, "not valid UTF-8 text") from exc


def _rows(name: str, text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, fields)`` for the non-blank rows (fields unstripped)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputFormatError(
                name, reader.line_num, f"malformed CSV: {exc}"
            ) from exc
        line = start
        start = reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        yield line, row


def _header(
    name: str, rows: Iterator[tuple[int, list[str]]], required: Sequence[str]
) -> tuple[int, dict[str, int]]:
    expected = ",".join(required)
    try:
        line, fields = next(rows)
    except StopIteration:
        raise InputFormatError(
            name, None, f"file is empty; expected a header {expected}"
        ) from None
    fields = [f.strip() for f in fields]
    columns: dict[str, int] = {}
    for i, col in enumerate(fields):
        if col in columns:
            raise InputFormatError(
                name, line, f"column {col!r} appears twice in header"
            )
        columns[col] = i
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputFormatError(
            name,
            line,
            f"header lacks column(s) {', '.join(missing)}; expected {expected}"
            f" (got {','.join(fields)})",
        )
    return len(fields), columns


def _check_width(name: str, line: int, fields: list[str], width: int) -> None:
    if len(fields) != width:
        raise InputFormatError(
            name, line, f"expected {width} fields like the header, got {len(fields)}"
        )


def read_responses_csv(path: str | Path) -> ResponsesFile:
    """Read a long-form responses file ``person_id,item_id,response``.

    Raises
    ------
    InputFormatError
        With the line number and what is wrong.
    """
    name = str(path)
    rows = _rows(name, _read_text(path))
    width, cols = _header(name, rows, RESPONSE_COLUMNS)
    ip, ii, ir = (cols[c] for c in RESPONSE_COLUMNS)
    persons: dict[str, int] = {}
    items: dict[str, int] = {}
    p_idx: list[int] = []
    i_idx: list[int] = []
    values: list[int] = []
    lines: list[int] = []
    for line, fields in rows:
        if len(fields) != width:
            _check_width(name, line, fields, width)
        person, item, resp = fields[ip].strip(), fields[ii].strip(), fields[ir].strip()
        if not person:
            raise InputFormatError(name, line, "person_id is empty")
        if not item:
            raise InputFormatError(name, line, "item_id is empty")
        if resp == "1":
            values.append(1)
        elif resp == "0":
            values.append(0)
        else:
            raise InputFormatError(name, line, f"response must be 0 or 1, got {resp!r}")
        p_idx.append(persons.setdefault(person, len(persons)))
        i_idx.append(items.setdefault(item, len(items)))
        lines.append(line)
    if not values:
        raise InputFormatError(name, None, "no responses after the header")
    _check_duplicates(name, p_idx, i_idx, lines, len(items), persons, items)
    data = LongResponses(
        person=np.asarray(p_idx, dtype=np.intp),
        item=np.asarray(i_idx, dtype=np.intp),
        response=np.asarray(values, dtype=np.int8),
        n_persons=len(persons),
        n_items=len(items),
    )
    return ResponsesFile(person_ids=tuple(persons), item_ids=tuple(items), data=data)


def _check_duplicates(
    name: str,
    p_idx: list[int],
    i_idx: list[int],
    lines: list[int],
    n_items: int,
    persons: dict[str, int],
    items: dict[str, int],
) -> None:
    """Report the earliest repeated (person, item) pair with both line numbers."""
    key = np.asarray(p_idx, dtype=np.int64) * n_items + np.asarray(i_idx)
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    repeat = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
    if repeat.size == 0:
        return
    # Within equal keys the stable sort keeps file order, so order[k - 1] is the
    # previous occurrence of the pair repeated at order[k].
    k = int(repeat[np.argmin(order[repeat])])
    later, earlier = int(order[k]), int(order[k - 1])
    person = list(persons)[p_idx[later]]
    item = list(items)[i_idx[later]]
    raise InputFormatError(
        name,
        lines[later],
        f"person {person!r} already answered item {item!r} on line {lines[earlier]}",
    )


def _number(name: str, line: int, column: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputFormatError(
            name, line, f"{column} must be a number, got {text!r}"
        ) from None
    if not math.isfinite(value):
        raise InputFormatError(name, line, f"{column} must be finite, got {text!r}")
    return value


def read_params_csv(path: str | Path, *, content_col: str | None = None) -> ParamsFile:
    """Read an item-parameter file ``item_id,a,b[,c][,...]``.

    Parameters
    ----------
    path : str or Path
        File to read.
    content_col : str, optional
        Column holding each item's content area; it must exist and be non-empty.

    Raises
    ------
    InputFormatError
        With the line number and what is wrong.
    """
    name = str(path)
    rows = _rows(name, _read_text(path))
    required = [*PARAM_COLUMNS] + ([content_col] if content_col else [])
    width, cols = _header(name, rows, required)
    ic = cols.get("c")
    ids: list[str] = []
    first_line: dict[str, int] = {}
    a: list[float] = []
    b: list[float] = []
    c: list[float] = []
    areas: list[str] = []
    lines: list[int] = []
    for line, raw in rows:
        _check_width(name, line, raw, width)
        fields = [f.strip() for f in raw]
        item = fields[cols["item_id"]]
        if not item:
            raise InputFormatError(name, line, "item_id is empty")
        if item in first_line:
            raise InputFormatError(
                name, line, f"item {item!r} already listed on line {first_line[item]}"
            )
        a_j = _number(name, line, "a", fields[cols["a"]])
        if a_j <= 0:
            raise InputFormatError(name, line, f"a must be positive, got {a_j:g}")
        b_j = _number(name, line, "b", fields[cols["b"]])
        c_j = 0.0
        if ic is not None and fields[ic] != "":
            c_j = _number(name, line, "c", fields[ic])
            if not 0 <= c_j < 1:
                raise InputFormatError(name, line, f"c must lie in [0, 1), got {c_j:g}")
        if content_col:
            area = fields[cols[content_col]]
            if not area:
                raise InputFormatError(name, line, f"{content_col} is empty")
            areas.append(area)
        first_line[item] = line
        ids.append(item)
        a.append(a_j)
        b.append(b_j)
        c.append(c_j)
        lines.append(line)
    if not ids:
        raise InputFormatError(name, None, "no items after the header")
    return ParamsFile(
        item_ids=tuple(ids),
        a=np.asarray(a),
        b=np.asarray(b),
        c=np.asarray(c),
        areas=tuple(areas) if content_col else None,
        lines=tuple(lines),
    )


def write_params_csv(
    path: str | Path,
    item_ids: Sequence[str],
    a: Sequence[float] | FloatArray,
    b: Sequence[float] | FloatArray,
    c: Sequence[float] | FloatArray,
) -> None:
    """Write ``item_id,a,b,c`` with six decimals."""
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["item_id", "a", "b", "c"])
        for row in zip(item_ids, a, b, c, strict=True):
            writer.writerow([row[0], *(f"{float(x):.6f}" for x in row[1:])])
