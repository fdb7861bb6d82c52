"""Serve pack media (images, audio) to learners."""

from __future__ import annotations

import mimetypes

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from hocvuso.packs.media import media_read


@require_GET
def pack_media(request: HttpRequest, name: str) -> HttpResponse:
    """Serve a content-addressed pack file; cached for a year."""
    data = media_read(name)
    if data is None:
        raise Http404
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = HttpResponse(data, content_type=kind)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    if kind == "image/svg+xml":
        # Opened on its own an SVG is a document that could run scripts: the
        # validator refuses active content, and the sandbox makes sure.
        response["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        )
    return response
