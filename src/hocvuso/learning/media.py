"""Store pack images and audio under content-addressed (hashed) names."""

from __future__ import annotations

import hashlib
import io
import posixpath
from pathlib import Path

from django.conf import settings

MAX_IMAGE_WIDTH = 960
RASTER = {".png", ".jpg", ".jpeg", ".webp"}


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "packs"


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


def media_store(rel: str, data: bytes) -> str:
    """Write a pack file under its hash and return its URL; idempotent."""
    ext = posixpath.splitext(rel)[1].lower()
    if ext in RASTER:
        data = _shrink(data, ext)
    name = hashlib.sha256(data).hexdigest()[:20] + ext
    root = media_root()
    root.mkdir(parents=True, exist_ok=True)
    target = root / name
    if not target.exists():
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    return f"/learn/media/{name}"
