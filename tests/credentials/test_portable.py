"""Each certificate carries a signed Open Badges 3.0 credential that verifies.

The whole chain with real parts: a supervised pass is confirmed by the task,
the certificate is issued with its credential, the learner downloads it, the
site serves the DID document and the status list, hocvuso's verifier and
Digital Bazaar's accept it, a tampered copy is refused, and a revocation sets
the bit that both then read.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext
from tests.credentials.vc.test_interop import _verify, node_verifier  # noqa: F401

from hocvuso.credentials.models import Certificate
from hocvuso.credentials.portable import revoked_status_indices, status_position
from hocvuso.credentials.services import certificate_reissue, confirmation_revoke
from hocvuso.credentials.vc.status import status_entry_revoked
from hocvuso.credentials.vc.verify import credential_verify

pytestmark = pytest.mark.django_db


def _served(client: Client, url: str) -> Any:
    path = url.split("//", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200, url
    return json.loads(response.content)


@pytest.fixture
def issued(sitting_factory: Any) -> Certificate:
    sitting = sitting_factory(identity_level=2)
    return Certificate.objects.get(confirmation__result=sitting.result)


def test_an_issued_certificate_carries_a_credential_that_verifies(
    issued: Certificate, client: Client
) -> None:
    credential = issued.credential
    assert credential is not None
    assert "OpenBadgeCredential" in credential["type"]
    subject = credential["credentialSubject"]
    assert subject["identifier"][0]["hashed"] is True
    assert str(issued.confirmation.result.user_id) not in json.dumps(credential)
    assert credential["id"].endswith(f"/verify/{issued.code}#v1")
    did = _served(client, "http://x/.well-known/did.json")
    status = _served(client, credential["credentialStatus"]["statusListCredential"])
    verdict = credential_verify(
        credential, now=timezone.now(), did_document=did, status_list=status
    )
    assert verdict.verified, verdict.errors


def test_the_learner_downloads_the_credential(issued: Certificate) -> None:
    client = Client()
    client.force_login(issued.confirmation.result.user)
    page = client.get("/certificates/").content.decode()
    assert f"/certificates/{issued.pk}/credential.json" in page
    response = client.get(f"/certificates/{issued.pk}/credential.json")
    assert response.status_code == 200
    assert json.loads(response.content) == issued.credential
    stranger = Client()
    stranger.force_login(
        type(issued.confirmation.result.user).objects.create_user("x9")
    )
    assert stranger.get(f"/certificates/{issued.pk}/credential.json").status_code == 404


def test_revocation_sets_the_bit_and_verification_fails(
    issued: Certificate, client: Client
) -> None:
    credential = issued.credential
    assert credential is not None
    url = credential["credentialStatus"]["statusListCredential"]
    list_id, position = status_position(issued.status_index)
    assert revoked_status_indices(list_id) == []
    confirmation_revoke(
        actor=_officer(),
        confirmation_id=str(issued.confirmation_id),
        reason="Thi hộ",
    )
    assert revoked_status_indices(list_id) == [position]
    status = _served(client, url)
    verdict = credential_verify(
        credential,
        now=timezone.now(),
        did_document=_served(client, "http://x/.well-known/did.json"),
        status_list=status,
    )
    assert not verdict.verified
    assert verdict.errors == [gettext("The credential has been revoked.")]
    assert status_entry_revoked(credential["credentialStatus"], status)


def _officer() -> Any:
    from tests.credentials.conftest import COMMUNE
    from tests.factories import user_with_role

    return user_with_role("commune_officer", commune_code=COMMUNE)


def test_reissue_signs_the_new_name_with_the_same_code_and_bit(
    issued: Certificate,
) -> None:
    before = copy.deepcopy(issued.credential)
    assert before is not None
    certificate_reissue(
        actor=_officer(),
        certificate_id=str(issued.pk),
        name="Nguyễn Thị Ánh Hồng",
        reason="Sửa tên theo căn cước",
    )
    issued.refresh_from_db()
    after = issued.credential
    assert after is not None and after["id"].endswith("#v2")
    assert after["credentialSubject"] != before["credentialSubject"]
    assert after["credentialStatus"] == before["credentialStatus"]
    verdict = credential_verify(after, now=timezone.now())
    assert verdict.verified, verdict.errors


def test_export_writes_pdf_credential_and_did_document(
    issued: Certificate, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    call_command("certificates", "export", issued.code, "--out", str(out))
    assert {p.name for p in out.iterdir()} == {
        "certificate.pdf",
        "credential.json",
        "did.json",
    }
    assert json.loads((out / "credential.json").read_text()) == issued.credential


def test_verify_command_accepts_the_export_and_refuses_a_tampered_copy(
    issued: Certificate, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    call_command("certificates", "export", issued.code, "--out", str(out))
    capsys.readouterr()
    call_command(
        "certificates",
        "verify",
        str(out / "credential.json"),
        "--did-doc",
        str(out / "did.json"),
    )
    assert json.loads(capsys.readouterr().out)["verified"] is True
    tampered = json.loads((out / "credential.json").read_text())
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = (
        "sha256$" + "0" * 64
    )
    (out / "tampered.json").write_text(json.dumps(tampered))
    with pytest.raises(SystemExit) as exit_:
        call_command("certificates", "verify", str(out / "tampered.json"))
    assert exit_.value.code == 1
    assert json.loads(capsys.readouterr().out)["verified"] is False


def test_digital_bazaar_accepts_an_issued_credential_and_refuses_it_tampered(
    node_verifier: Path,  # noqa: F811
    issued: Certificate,
    client: Client,
) -> None:
    credential = issued.credential
    assert credential is not None
    status = _served(client, credential["credentialStatus"]["statusListCredential"])
    now = {"now": timezone.now().isoformat().replace("+00:00", "Z")}
    good = _verify(node_verifier, credential, statusList=status, **now)
    assert good["verified"], good
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["name"] = "Chuyên gia"
    bad = _verify(node_verifier, tampered, statusList=status, **now)
    assert not bad["verified"]
