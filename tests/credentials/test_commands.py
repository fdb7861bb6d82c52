"""``hocvuso certificates list|export``."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from hocvuso.credentials.models import Certificate

pytestmark = pytest.mark.django_db


def test_list_and_export(sitting_factory: Any, tmp_path: Path) -> None:
    out = StringIO()
    err = StringIO()
    call_command("certificates", "list", stdout=out, stderr=err)
    assert "No certificates yet." in err.getvalue()
    sitting_factory(identity_level=2)
    certificate = Certificate.objects.get()
    out = StringIO()
    call_command("certificates", "list", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [r["code"] for r in rows] == [certificate.code]
    assert rows[0]["status"] == "valid" and rows[0]["name"] == "Nguyễn Thị Ánh"
    out = StringIO()
    call_command("certificates", "list", stdout=out)
    assert certificate.code in out.getvalue()
    typed = "-".join(certificate.code[i : i + 4] for i in range(0, 20, 4)).lower()
    call_command(
        "certificates", "export", typed, "--out", str(tmp_path / "c"), stderr=err
    )
    assert (tmp_path / "c/certificate.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="no certificate"):
        call_command("certificates", "export", "NOPE", "--out", str(tmp_path))


def test_demo_generate(bank: Any) -> None:
    out, err = StringIO(), StringIO()
    call_command(
        "demo", "generate", "--count", "3", "--seed", "7", stdout=out, stderr=err
    )
    assert "3 learners, 3 certificates" in err.getvalue()
    names = [line.split("  ", 1)[1] for line in out.getvalue().splitlines()[:3]]
    assert Certificate.objects.filter(revoked_at__isnull=True).count() == 3
    kinds = {
        c.confirmation.evidence["identity"]["kind"]
        for c in Certificate.objects.select_related("confirmation")
    }
    assert kinds == {"vneid", "id_card"}
    # Run again: nothing twice; the same seed gives the same people.
    out = StringIO()
    call_command(
        "demo", "generate", "--count", "3", "--seed", "7", stdout=out, stderr=err
    )
    assert Certificate.objects.count() == 3
    assert [line.split("  ", 1)[1] for line in out.getvalue().splitlines()[:3]] == names
