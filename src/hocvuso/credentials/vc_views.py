"""Public documents of portable credentials: DID document, JWKS, status lists.

They are read by any verifier anywhere, so they allow every origin (CORS
``*``: nothing here is personal) and may be cached for a few minutes (a
rotated key or a revocation shows within ``MAX_AGE`` seconds).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from hocvuso.credentials.errors import SigningKeyMissing
from hocvuso.credentials.vc.did import did_document, jwks, public_url
from hocvuso.credentials.vc.status import (
    revocation_provider,
    status_list_credential,
    status_list_length,
)

MAX_AGE = 300


def _public(data: Any, content_type: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type=content_type
    )
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def did_json(request: HttpRequest) -> HttpResponse:
    """Serve the issuer's DID document (every key, current and retired)."""
    return _public(did_document(), "application/did+ld+json")


@require_GET
def jwks_json(request: HttpRequest) -> HttpResponse:
    """Serve the issuer's keys as a JSON Web Key Set."""
    return _public(jwks(), "application/jwk-set+json")


def status_list_url(list_id: str) -> str:
    """Return the absolute URL of the status list ``list_id``."""
    path = reverse("credentials:vc_status_list", args=[list_id])
    return public_url(path.removeprefix(get_script_prefix()))


@require_GET
def status_list(request: HttpRequest, list_id: str) -> HttpResponse:
    """Serve the signed ``BitstringStatusListCredential`` of ``list_id``."""
    revoked = revocation_provider()(list_id)
    if revoked is None:
        raise Http404
    try:
        document = status_list_credential(
            status_list_url(list_id),
            revoked,
            now=timezone.now(),
            length=status_list_length(),
        )
    except SigningKeyMissing as exc:
        response = HttpResponse(
            json.dumps({"detail": exc.message}, ensure_ascii=False),
            status=exc.status,
            content_type="application/json",
        )
        response["Retry-After"] = "300"
        return response
    return _public(document, "application/vc")
