"""Visit photos: check, turn upright, shrink to 2,000 px, strip the location.

Every photo is decoded and re-encoded as JPEG by Pillow, so nothing the
camera wrote survives by accident: EXIF is dropped, except the GPS block when
the volunteer asked to keep the location of this photo.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from hocvuso.community.errors import PhotoInvalid

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2000
MAX_PIXELS = 50_000_000
_GPS_IFD = 0x8825


@dataclass(frozen=True)
class ProcessedPhoto:
    content: bytes
    width: int
    height: int
    location_kept: bool


def photo_process(data: bytes, *, keep_location: bool = False) -> ProcessedPhoto:
    """Return ``data`` as a JPEG at most ``MAX_SIDE`` px on its long side.

    Raises ``PhotoInvalid`` for files over ``MAX_PHOTO_BYTES``, files that are
    not images, and images too large to decode safely.
    """
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoInvalid(
            _("The photo is too large (at most %(mb)d MB). Take a smaller one.")
            % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)}
        )
    if not data:
        raise PhotoInvalid(_("The photo file is empty."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoInvalid(_("The photo has too many pixels."))
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except PhotoInvalid:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoInvalid(
            _("This file is not a photo we can read (use JPEG or PNG).")
        ) from exc
    gps = image.getexif().get_ifd(_GPS_IFD) if keep_location else {}
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    params: dict[str, object] = {"quality": 85, "optimize": True}
    if gps:
        exif = Image.Exif()
        exif[_GPS_IFD] = gps
        params["exif"] = exif.tobytes()
    upright.save(out, format="JPEG", **params)
    return ProcessedPhoto(
        content=out.getvalue(),
        width=upright.width,
        height=upright.height,
        location_kept=bool(gps),
    )
