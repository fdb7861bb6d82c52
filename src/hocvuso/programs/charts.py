"""Charts drawn on the server as small inline SVG (no chart library, no script).

Each chart is decorative for screen readers (``aria-hidden``): the page puts a
data table with the same numbers right after it. Colours are not the only
signal: lagging rows also say so in words in the table and the label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 320
ROW = 30
LABEL = 110
OK = "#17663a"
LATE = "#b3541e"
TARGET = "#1b1f24"
EXPECTED = "#505a64"
EMPTY = "#e6ebf0"


@dataclass(frozen=True)
class Bar:
    """One row of a progress chart: a value against a target and its path."""

    label: str
    value: float | None
    target: float | None
    expected: float | None
    lagging: bool


def _scale(values: Sequence[float | None], percentage: bool) -> float:
    top = max((v for v in values if v is not None), default=0.0)
    if percentage:
        return max(100.0, top)
    return top * 1.1 if top > 0 else 1.0


def _short(text: str, size: int = 16) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def progress_bars(bars: Sequence[Bar], *, percentage: bool) -> SafeString:
    """Return horizontal bars of value vs target, the expected path dashed."""
    if not bars:
        return SafeString("")
    scale = _scale(
        [v for b in bars for v in (b.value, b.target, b.expected)], percentage
    )
    span = WIDTH - LABEL - 8
    height = ROW * len(bars) + 6
    parts: list[SafeString] = []
    for i, bar in enumerate(bars):
        y = 4 + i * ROW
        parts.append(
            format_html(
                '<text x="0" y="{}" font-size="12">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="16" fill="{}" rx="2"/>',
                y + 13,
                _short(bar.label),
                LABEL,
                y + 2,
                span,
                EMPTY,
            )
        )
        if bar.value:
            width = min(span, span * bar.value / scale)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="16" fill="{}" rx="2"/>',
                    LABEL,
                    y + 2,
                    round(width, 1),
                    LATE if bar.lagging else OK,
                )
            )
        if bar.expected is not None:
            x = LABEL + min(span, span * bar.expected / scale)
            parts.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" '
                    'stroke-width="2" stroke-dasharray="3 2"/>',
                    round(x, 1),
                    round(x, 1),
                    y,
                    y + 20,
                    EXPECTED,
                )
            )
        if bar.target is not None:
            x = LABEL + min(span, span * bar.target / scale)
            parts.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" '
                    'stroke-width="3"/>',
                    round(x, 1),
                    round(x, 1),
                    y - 1,
                    y + 21,
                    TARGET,
                )
            )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" aria-hidden="true" '
        'focusable="false">{}</svg>',
        WIDTH,
        height,
        SafeString("".join(parts)),
    )


def trend_chart(
    values: Sequence[float | None], *, target: float | None, percentage: bool
) -> SafeString:
    """Return a column per month with the straight path to the year's target."""
    if not values:
        return SafeString("")
    height, base, left = 150, 130, 4
    scale = _scale([*values, target], percentage)
    step = (WIDTH - left) / 12
    cols = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
        '<text x="{}" y="146" font-size="10" text-anchor="middle">{}</text>',
        (
            (
                round(left + i * step + 2, 1),
                round(base - (v or 0) / scale * (base - 10), 1),
                round(step - 4, 1),
                round((v or 0) / scale * (base - 10), 1),
                OK,
                round(left + i * step + step / 2, 1),
                i + 1,
            )
            for i, v in enumerate(values)
        ),
    )
    path = SafeString("")
    if target is not None:
        y_end = base - target / scale * (base - 10)
        path = format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2" '
            'stroke-dasharray="4 3"/>',
            left,
            base,
            WIDTH,
            round(y_end, 1),
            EXPECTED,
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" aria-hidden="true" '
        'focusable="false"><line x1="0" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
        "{}{}</svg>",
        WIDTH,
        height,
        WIDTH,
        base,
        base,
        TARGET,
        cols,
        path,
    )
