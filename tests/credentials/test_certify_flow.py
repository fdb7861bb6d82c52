"""Issue #15 end to end, with real parts: verified identity, supervised pass,
certificate, verification page, signed credential, outbox to the reference
receiver exactly once in effect, and a revocation that shows everywhere.

The OIDC provider's browser flow is covered by ``tests/e2e/test_oidc.py``;
here the learner's identity becomes level 2 through the same linking service
the callback calls, after the result, which must then be confirmed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.credentials.conftest import COMMUNE
from tests.credentials.outbox_support import ReceiverProc
from tests.factories import user_with_role

from hocvuso.accounts.oidc_config import OidcPerson
from hocvuso.accounts.oidc_services import oidc_identity_link
from hocvuso.core.tasks import tasks_run_pending
from hocvuso.credentials.models import Certificate, Confirmation, OutboxEvent
from hocvuso.credentials.outbox.adapters import JwsHttpAdapter
from hocvuso.credentials.outbox.services import outbox_drain
from hocvuso.credentials.services import confirmation_revoke
from hocvuso.credentials.vc.status import status_entry_revoked
from hocvuso.credentials.vc.verify import credential_verify

pytestmark = pytest.mark.django_db


def _drain(url: str) -> None:
    outbox_drain(token="t", adapter=JwsHttpAdapter(url=url), rng=random.Random(1))


def _json(client: Client, url: str) -> Any:
    response = client.get("/" + url.split("//", 1)[1].split("/", 1)[1])
    assert response.status_code == 200, url
    return json.loads(response.content)


def test_verified_supervised_pass_is_certified_exported_and_revoked(
    sitting_factory: Any,
    receiver: Callable[..., ReceiverProc],
    django_capture_on_commit_callbacks: Any,
    client: Client,
) -> None:
    sitting = sitting_factory(identity_level=0)
    assert not Confirmation.objects.filter(result=sitting.result).exists()

    # The learner signs in with VNeID level 2 afterwards: the pass is confirmed.
    person = OidcPerson(issuer="https://sso.example", subject="s-1", level=2)
    with django_capture_on_commit_callbacks(execute=True):
        oidc_identity_link(actor=sitting.learner, user=sitting.learner, person=person)
    tasks_run_pending()
    certificate = Certificate.objects.get(confirmation__result=sitting.result)
    assert certificate.confirmation.evidence["identity"]["kind"] == "vneid"

    page = client.get(f"/verify/{certificate.code}")
    assert page.status_code == 200 and "còn giá trị" in page.content.decode()
    credential = certificate.credential
    assert credential is not None
    did = _json(client, "http://x/.well-known/did.json")
    status_url = credential["credentialStatus"]["statusListCredential"]
    verdict = credential_verify(
        credential,
        now=timezone.now(),
        did_document=did,
        status_list=_json(client, status_url),
    )
    assert verdict.verified, verdict.errors

    # The confirmation reaches the receiver once, however often it is drained.
    recv = receiver()
    _drain(recv.url)
    _drain(recv.url)
    rows = recv.rows()
    assert [(r[1], r[2]) for r in rows] == [
        (f"result.confirmed:{certificate.confirmation_id}", "result.confirmed")
    ]
    sent = json.loads(rows[0][4])
    assert sent["certificate"]["code"] == certificate.code
    assert OutboxEvent.objects.get().state == OutboxEvent.State.DELIVERED

    # A revocation shows on the page, in the status list and at the receiver.
    officer = user_with_role("commune_officer", commune_code=COMMUNE)
    with django_capture_on_commit_callbacks(execute=True):
        confirmation_revoke(
            actor=officer,
            confirmation_id=str(certificate.confirmation_id),
            reason="Người khác thi hộ",
        )
    page = client.get(f"/verify/{certificate.code}").content.decode()
    assert "thu hồi" in page
    status = _json(client, status_url)
    assert status_entry_revoked(credential["credentialStatus"], status)
    _drain(recv.url)
    kinds = [r[2] for r in recv.rows()]
    assert kinds == ["result.confirmed", "result.revoked"]
    assert recv.stats()["stored"] == 2
