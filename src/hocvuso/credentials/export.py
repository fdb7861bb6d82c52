"""What the identity platform is told of a confirmation: an outbox event.

A confirmation and its revocation each write one event in the transaction
that makes them (key ``<kind>:<confirmation id>``, so a retried service writes
it once); the worker delivers it through the configured identity adapter
(``docs/credentials-outbox.md``). The person is named by the keyed hash of
their citizen ID number (when the account has one) and the account id, never
by the number itself.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from hocvuso.credentials.models import Confirmation
from hocvuso.credentials.outbox.models import OutboxEvent
from hocvuso.credentials.outbox.payload import payload_build
from hocvuso.credentials.outbox.services import outbox_enqueue
from hocvuso.credentials.selectors import verify_url

CONFIRMED = "result.confirmed"
REVOKED = "result.revoked"


def confirmation_export(confirmation: Confirmation, *, now: datetime) -> OutboxEvent:
    """Write the outbox event of a confirmation, or of its revocation."""
    result = confirmation.result
    user = result.user
    certificate = confirmation.certificates.order_by("-issued_at").first()
    revoked = confirmation.revoked_at is not None
    kind = REVOKED if revoked else CONFIRMED
    payload = payload_build(
        confirmation_id=str(confirmation.pk),
        id_hash=user.national_id_hash,
        account_id=str(user.pk),
        target_group=result.target_group.slug,
        level=result.level.number if result.level else 0,
        result_date=timezone.localdate(result.created_at),
        certificate_code=certificate.code if certificate else None,
        certificate_url=verify_url(certificate.code) if certificate else None,
        revoked_on=timezone.localdate(now) if revoked else None,
        revocation_reason=confirmation.revoked_reason if revoked else "",
    )
    return outbox_enqueue(kind=kind, key=f"{kind}:{confirmation.pk}", payload=payload)
