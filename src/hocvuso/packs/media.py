"""Store pack images and audio under content-addressed (hashed) names.

Files go through Django's Storage API: the storage named by
``HOCVUSO_PACK_MEDIA_STORAGE`` (an alias of ``STORAGES``, ``default`` unless
set), under ``packs/``. A CDN or an object store is a storage setting, not a
code change. Names are the file's hash, so a stored file never changes and is
served with a year-long cache.
"""

from __future__ import annotations

import hashlib
import io
import posixpath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.urls import reverse

MAX_IMAGE_WIDTH = 960
RASTER = {".png", ".jpg", ".jpeg", ".webp"}
PREFIX = "packs/"


def media_storage() -> Storage:
    """Return the storage that holds pack media."""
    return storages[str(getattr(settings, "HOCVUSO_PACK_MEDIA_STORAGE", "default"))]


def _shrink(data: bytes, ext: str) -> bytes:
    """Return the image scaled down to ``MAX_IMAGE_WIDTH`` (unchanged if smaller)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        if img.width <= MAX_IMAGE_WIDTH:
            return data
        height = round(img.height * MAX_IMAGE_WIDTH / img.width)
        small = img.resize((MAX_IMAGE_WIDTH, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        fmt = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}[ext[1:]]
        small.save(out, format=fmt, optimize=True)
        return out.getvalue()


def media_url(name: str) -> str:
    """Return the URL learners load a stored pack file from."""
    return reverse("packs:media", args=[name])


def _stored_form(rel: str, data: bytes) -> tuple[str, bytes]:
    ext = posixpath.splitext(rel)[1].lower()
    if ext in RASTER:
        data = _shrink(data, ext)
    return hashlib.sha256(data).hexdigest()[:20] + ext, data


def media_url_of(rel: str, data: bytes) -> str:
    """Return the URL :func:`media_store` would give, storing nothing."""
    return media_url(_stored_form(rel, data)[0])


def media_store(rel: str, data: bytes) -> str:
    """Store a pack file under its hash and return its URL; idempotent."""
    name, data = _stored_form(rel, data)
    storage = media_storage()
    if not storage.exists(PREFIX + name):
        storage.save(PREFIX + name, ContentFile(data))
    return media_url(name)


def media_read(name: str) -> bytes | None:
    """Return the bytes of a stored pack file, or None if there is none."""
    if "/" in name or name.startswith(".") or not name:
        return None
    storage = media_storage()
    if not storage.exists(PREFIX + name):
        return None
    with storage.open(PREFIX + name, "rb") as fh:
        return bytes(fh.read())


_SVG_FORBIDDEN = {"script", "foreignobject", "iframe", "embed", "object", "handler"}


def svg_problem(data: bytes) -> str | None:
    """Return why an SVG is unsafe to show to learners, or None when it is safe.

    Pack pictures are drawings, so anything active is refused rather than
    cleaned: a DOCTYPE or entity (entity bombs, external entities), scripts,
    embedded HTML (``foreignObject``), event-handler attributes (``onload``…),
    links to anything but a fragment of the same file, and external ``url()``
    or ``@import`` in styles. The media view also serves SVG with
    ``Content-Security-Policy: sandbox`` in case one slips through.
    """
    from xml.etree import ElementTree

    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        return "SVG must not contain a DOCTYPE or entities"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return f"SVG is not well-formed XML ({exc})"
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1].lower()
        if tag in _SVG_FORBIDDEN:
            return f"SVG must not contain <{tag}>"
        for name, value in el.attrib.items():
            attr = name.rsplit("}", 1)[-1].lower()
            if attr.startswith("on"):
                return f"SVG must not have event attributes ({attr})"
            if attr == "href" and not value.strip().startswith("#"):
                return "SVG links may only point inside the file (href='#…')"
            if "url(" in value.lower() and "url(#" not in value.lower():
                return "SVG styles may only use url(#…) inside the file"
        if tag == "style" and el.text:
            css = el.text.lower()
            if "@import" in css or ("url(" in css and "url(#" not in css):
                return "SVG styles must not load other files"
    return None
