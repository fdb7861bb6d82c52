"""Markdown to safe HTML for lessons (raw HTML off, then sanitised with nh3)."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote",
    "code", "pre", "hr", "br", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "th": {"scope"},
}
_TAGS = re.compile(r"<[^>]+>")


def render_markdown(
    text: str, *, image_url: Callable[[str], str] | None = None
) -> tuple[str, str]:
    """Return (sanitised HTML, plain text) for a lesson body.

    ``image_url`` maps an image path written in the lesson to the URL it is
    served from (hashed media); ``# h1`` headings become ``h2`` because the page
    title is the only ``h1``.
    """
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
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
