"""Markdown to safe HTML for lessons (raw HTML off, then sanitised with nh3)."""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote",
    "code", "pre", "hr", "br", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "th": {"scope"},
}
_TAGS = re.compile(r"<[^>]+>")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def heading_anchor(text: str, taken: set[str]) -> str:
    """Return a stable id for a heading: its words without accents, joined by '-'.

    "Bước 3: Kích hoạt tài khoản" gives ``buoc-3-kich-hoat-tai-khoan``; a second
    heading with the same words gets ``-2`` (then ``-3``…). ``taken`` collects
    the ids of the page so far.
    """
    folded = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    base = _NOT_SLUG.sub("-", plain).strip("-")[:60].strip("-") or "muc"
    anchor, n = base, 1
    while anchor in taken:
        n += 1
        anchor = f"{base}-{n}"
    taken.add(anchor)
    return anchor


def render_markdown(
    text: str, *, image_url: Callable[[str], str] | None = None
) -> tuple[str, str]:
    """Return (sanitised HTML, plain text) for a lesson body.

    ``image_url`` maps an image path written in the lesson to the URL it is
    served from (hashed media); ``# h1`` headings become ``h2`` because the page
    title is the only ``h1``. Every heading gets a stable ``id``
    (:func:`heading_anchor`) so that a link (the assistant's citations) can
    point at its section.
    """
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    tokens = md.parse(text)
    taken: set[str] = set()
    for i, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
        if token.type == "heading_open" and i + 1 < len(tokens):
            token.attrs["id"] = heading_anchor(tokens[i + 1].content, taken)
        for child in token.children or []:
            if child.type == "image" and image_url is not None:
                child.attrs["src"] = image_url(str(child.attrs.get("src", "")))
                child.attrs["loading"] = "lazy"
    html = md.renderer.render(tokens, md.options, {})
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    plain = html_lib.unescape(re.sub(r"\s+", " ", _TAGS.sub(" ", clean)).strip())
    return clean, plain
