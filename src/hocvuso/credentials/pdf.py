"""The certificate as an A4 PDF (WeasyPrint), in Vietnamese or English.

Generated on demand from the certificate's rows: everything it prints is
stored (name and version on the certificate, the result it stands for), so
the same certificate always gives the same document and nothing is lost
when a download or a task is retried. The Be Vietnam Pro font comes from the
``fontpkg-be-vietnam-pro`` package and is embedded (subset) in the file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import fontpkg_be_vietnam_pro
import segno
from django.template.loader import render_to_string
from django.utils.translation import override

from hocvuso.credentials.models import Certificate
from hocvuso.credentials.selectors import certificate_view


@cache
def font_dir() -> Path:
    """Return the folder of the Be Vietnam Pro font files."""
    return Path(fontpkg_be_vietnam_pro.__file__).parent / "files"


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#1b3a57")


def certificate_html(certificate: Certificate, *, language: str = "") -> str:
    """Return the certificate's HTML (what the PDF is made from)."""
    view = certificate_view(certificate, language=language)
    with override(view.language):
        return render_to_string(
            "credentials/certificate_pdf.html",
            {
                "c": view,
                "qr": qr_data_uri(view.verify_url),
                "font_regular": (font_dir() / "BeVietnamPro-Regular.ttf").as_uri(),
                "font_bold": (font_dir() / "BeVietnamPro-Bold.ttf").as_uri(),
                "font_semibold": (font_dir() / "BeVietnamPro-SemiBold.ttf").as_uri(),
            },
        )


def certificate_pdf(certificate: Certificate, *, language: str = "") -> bytes:
    """Return the certificate as PDF bytes (A4 landscape)."""
    from weasyprint import HTML

    html = certificate_html(certificate, language=language)
    pdf: bytes = HTML(string=html, base_url=str(font_dir())).write_pdf()
    return pdf
