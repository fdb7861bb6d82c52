"""A pack file that is hostile or damaged is refused with a reason, never a 500."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.factories import learner_in, user_with_role
from tests.learning.packfactory import write_pack

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import role_assign
from hocvuso.packs import yamlines
from hocvuso.packs.models import PackUpload
from hocvuso.packs.reader import pack_read
from hocvuso.packs.source import PackSource, PackSourceError

BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]"
        for i in range(8)
    ]
)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def test_an_alias_bomb_is_refused_before_it_expands() -> None:
    """Nine nested aliases would expand to 9**9 strings; no node is composed."""
    tracemalloc.start()
    with pytest.raises(yamlines.AnchorRefused) as caught:
        yamlines.load(BOMB)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 5_000_000  # bytes: the bomb never expanded
    assert caught.value.problem_mark is not None
    assert caught.value.problem_mark.line == 0  # the first anchor, line 1


def test_an_alias_in_a_pack_is_a_problem_with_file_and_line(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p")
    pack_yaml = root / "pack.yaml"
    pack_yaml.write_text(
        pack_yaml.read_text(encoding="utf-8") + "\nextra: &x 1\nagain: *x\n",
        encoding="utf-8",
    )
    report = pack_read(PackSource.from_folder(root), database=False)
    found = [i for i in report.issues if i.file == "pack.yaml"]
    assert found and "anchors and aliases" in found[0].message
    assert found[0].line == len(pack_yaml.read_text().splitlines()) - 1


def _corrupt_crc(data: bytes) -> bytes:
    # The reader checks the CRC-32 of the central directory (16 bytes in).
    at = data.index(b"PK\x01\x02") + 16
    crc = struct.unpack("<I", data[at : at + 4])[0] ^ 0xFFFFFFFF
    return data[:at] + struct.pack("<I", crc) + data[at + 4 :]


def _corrupt_deflate(data: bytes) -> bytes:
    start = data.index(b"PK\x03\x04")
    name_len, extra_len = struct.unpack("<HH", data[start + 26 : start + 30])
    body = start + 30 + name_len + extra_len
    return data[:body] + b"\xff\xff\xff\xff" + data[body + 4 :]


def _method(data: bytes, method: int) -> bytes:
    # Both the local header (offset 8) and the central directory (offset 10).
    out = bytearray(data)
    local = data.index(b"PK\x03\x04")
    out[local + 8 : local + 10] = struct.pack("<H", method)
    central = data.index(b"PK\x01\x02")
    out[central + 10 : central + 12] = struct.pack("<H", method)
    return bytes(out)


def _forged_size(data: bytes) -> bytes:
    # Declare 10 bytes uncompressed in both headers for a much larger member.
    out = bytearray(data)
    local = data.index(b"PK\x03\x04")
    out[local + 22 : local + 26] = struct.pack("<I", 10)
    central = data.index(b"PK\x01\x02")
    out[central + 24 : central + 28] = struct.pack("<I", 10)
    return bytes(out)


def _encrypted(data: bytes) -> bytes:
    out = bytearray(data)
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.index(sig) + at
        flags = struct.unpack("<H", data[pos : pos + 2])[0] | 0x1
        out[pos : pos + 2] = struct.pack("<H", flags)
    return bytes(out)


GOOD = _zip({"pack.yaml": b"id: x\n" + b"# padding\n" * 500})


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_corrupt_crc, "damaged"),
        (_corrupt_deflate, "damaged"),
        (lambda d: _method(d, 9), "unsupported compression"),  # deflate64
        (_forged_size, "damaged"),
        (_encrypted, "encrypted"),
        (lambda d: d[: len(d) // 2], "not a valid zip"),
        (lambda d: b"PK\x05\x06" + b"\x00" * 18, "not a valid zip"),
    ],
    ids=[
        "bad-crc",
        "corrupt-deflate",
        "deflate64",
        "forged-size",
        "encrypted",
        "truncated",
        "empty-directory-record",
    ],
)
def test_a_damaged_zip_is_a_pack_source_error(damage: object, reason: str) -> None:
    data = damage(GOOD)  # type: ignore[operator]
    try:
        source = PackSource.from_zip(data, label="x.zip")
    except PackSourceError as exc:
        assert reason in str(exc)
    else:  # an empty archive opens, and then it is no pack
        assert reason == "not a valid zip" and "pack.yaml" not in source.files


@pytest.mark.django_db
def test_the_admin_upload_answers_a_damaged_zip_with_its_reason(
    client: Client, tmp_path: Path, settings: object
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    editor = learner_in(30178)
    role_assign(
        actor=user_with_role(Role.NATIONAL_ADMIN), user=editor, role=Role.CONTENT_EDITOR
    )
    client.force_login(editor)
    for data in (_corrupt_crc(GOOD), _method(GOOD, 9), _encrypted(GOOD)):
        upload = SimpleUploadedFile("x.zip", data, "application/zip")
        response = client.post("/admin/packs/contentpack/upload/", {"file": upload})
        assert response.status_code == 200
        assert "x.zip" in response.content.decode()
    assert not PackUpload.objects.exists()
