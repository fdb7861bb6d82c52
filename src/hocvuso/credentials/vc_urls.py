"""URLs of portable credentials, included by ``credentials/urls.py``.

``did.json`` is served both at ``/.well-known/did.json`` (a did:web without a
path) and at ``/did.json`` (a did:web of a site mounted under a path, which
resolves to ``<path>/did.json``).
"""

from __future__ import annotations

from django.urls import URLPattern, path

from hocvuso.credentials import vc_views

urlpatterns: list[URLPattern] = [
    path(".well-known/did.json", vc_views.did_json, name="vc_did"),
    path("did.json", vc_views.did_json, name="vc_did_path"),
    path(".well-known/jwks.json", vc_views.jwks_json, name="vc_jwks"),
    path(
        "credentials/status/<slug:list_id>",
        vc_views.status_list,
        name="vc_status_list",
    ),
]
