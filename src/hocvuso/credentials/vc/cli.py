"""The ``hocvuso certificates verify`` and ``rotate-key`` subcommands.

Each function takes the parsed options and returns the exit code; the
management command (``credentials/management/commands/certificates.py``)
only dispatches to them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext

from hocvuso.core.models import AuditLog
from hocvuso.credentials.errors import SigningKeyMissing
from hocvuso.credentials.keys import issuer_key_current, issuer_key_rotate, keys_dir
from hocvuso.credentials.vc.did import public_url
from hocvuso.credentials.vc.jose import credential_jwt_verify
from hocvuso.credentials.vc.status import (
    revocation_provider,
    status_list_credential,
    status_list_length,
)
from hocvuso.credentials.vc.verify import VerifyResult, credential_verify, status_check

STATUS_PATH = "credentials/status/"


class Writer(Protocol):
    """Where a command prints (a file, or a command's ``self.stdout``)."""

    def write(self, text: str, /) -> object: ...


class _Unreadable(Exception):
    pass


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _Unreadable(f"cannot read the {what} {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"the {what} {path} is not JSON: {exc}") from exc


def _read_json(path: Path, what: str, text: str | None = None) -> Any:
    try:
        return json.loads(_read_text(path, what) if text is None else text)
    except json.JSONDecodeError as exc:
        raise _Unreadable(f"the {what} {path} is not JSON: {exc}") from exc


def _is_jws(text: str) -> bool:
    return text.strip().startswith("eyJ") and text.count(".") == 2


def _local_status_list(credential: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return this site's status list the credential names, built locally."""
    entry = credential.get("credentialStatus")
    url = entry.get("statusListCredential") if isinstance(entry, Mapping) else None
    prefix = public_url(STATUS_PATH)
    if not isinstance(url, str) or not url.startswith(prefix):
        return None
    try:
        revoked = revocation_provider()(url.removeprefix(prefix))
    except DatabaseError:  # e.g. run before "hocvuso init": verify offline
        return None
    if revoked is None:
        return None
    try:
        return status_list_credential(
            url, revoked, now=timezone.now(), length=status_list_length()
        )
    except SigningKeyMissing:
        return None


def _verify_loaded(
    token: str | None,
    credential: Any,
    did_doc: Mapping[str, Any] | None,
    status: Mapping[str, Any] | None,
) -> VerifyResult:
    now = timezone.now()
    if token is not None:
        result, credential = credential_jwt_verify(token, now=now, did_document=did_doc)
        if credential is None:
            return result
    if status is None and isinstance(credential, Mapping) and did_doc is None:
        status = _local_status_list(credential)
    if token is None:
        return credential_verify(
            credential, now=now, did_document=did_doc, status_list=status
        )
    assert credential is not None
    entry = credential.get("credentialStatus")
    if entry is None:
        return result
    if status is None:
        result.warnings.append(
            gettext("Revocation was not checked: no status list given.")
        )
        return result
    errors = result.errors + status_check(credential, entry, status, did_doc, now)
    return VerifyResult(not errors, errors, result.warnings)


def verify(options: Mapping[str, Any], out: Writer) -> int:
    """Verify the credential file (JSON, or a ``vc+jwt``) offline; print the result."""
    try:
        text = _read_text(options["file"], "credential")
        token = text.strip() if _is_jws(text) else None
        credential = None if token else _read_json(options["file"], "credential", text)
        did_doc = (
            _read_json(options["did_doc"], "DID document")
            if options.get("did_doc")
            else None
        )
        status = (
            _read_json(options["status_list"], "status list")
            if options.get("status_list")
            else None
        )
    except _Unreadable as exc:
        result = VerifyResult(False, [str(exc)])
    else:
        result = _verify_loaded(token, credential, did_doc, status)
    out.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2) + "\n")
    return 0 if result.verified else 1


def rotate_key(options: Mapping[str, Any], out: Writer) -> int:
    """Make a new issuer key the signing one; older keys stay listed."""
    AuditLog.objects.exists()  # fail before touching the keys if no database
    try:
        previous = issuer_key_current().kid
    except SigningKeyMissing:
        previous = None
    key = issuer_key_rotate()
    AuditLog.objects.create(
        actor=None,
        actor_label="system",
        action="issuer_key.rotate",
        object_type="credentials.issuerkey",
        object_id=key.kid,
        object_label=key.kid,
        before={"kid": previous},
        after={"kid": key.kid},
    )
    out.write(f"New signing key {key.kid} in {keys_dir()}; previous: {previous}.\n")
    return 0
