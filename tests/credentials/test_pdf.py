"""The certificate PDF: Vietnamese text intact, font embedded, A4, readable."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from hocvuso.credentials.models import Certificate
from hocvuso.credentials.pdf import certificate_html, certificate_pdf
from hocvuso.credentials.selectors import code_display

pytestmark = pytest.mark.django_db

OUT = Path(__file__).parent / "output"


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_vietnamese_certificate(sitting_factory: Any, tmp_path: Path) -> None:
    sitting_factory(identity_level=2)
    certificate = Certificate.objects.get()
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(certificate_pdf(certificate))
    text = _text(pdf)
    for expected in (
        "CHỨNG NHẬN",
        "Chứng nhận Ông/Bà",
        "Nguyễn Thị Ánh",
        "Cộng hòa Xã hội Chủ nghĩa Việt Nam".upper(),
        "Trình độ đạt được".upper(),
        "Mỹ An Hưng",
        code_display(certificate.code),
    ):
        assert expected in text, expected
    assert re.search(r"\d{2}/\d{2}/\d{4}", text)
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    rows = [line for line in fonts.splitlines() if "Be-Vietnam-Pro" in line]
    assert rows, fonts
    assert all(" yes " in row for row in rows), fonts  # embedded (subset)
    info = subprocess.run(
        ["pdfinfo", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert "841.89 x 595.276 pts (A4)" in info, info  # landscape
    OUT.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(OUT / "vi")],
        check=True,
    )
    assert (OUT / "vi.png").stat().st_size > 10_000


def test_english_version(sitting_factory: Any, tmp_path: Path) -> None:
    sitting_factory(identity_level=2, language="en")
    certificate = Certificate.objects.get()
    assert certificate.language == "en"
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(certificate_pdf(certificate))
    text = _text(pdf)
    assert "CERTIFICATE" in text and "Nguyễn Thị Ánh" in text
    assert "Level reached".upper() in text
    OUT.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(OUT / "en")],
        check=True,
    )
    # The learner's language by default; a parameter chooses the other one.
    assert "<h1>Chứng nhận</h1>" in certificate_html(certificate, language="vi")
