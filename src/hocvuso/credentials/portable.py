"""The signed portable credential of a certificate, and its revocation list.

Every certificate version carries one ``OpenBadgeCredential`` (VC 2.0, Open
Badges 3.0, an ``eddsa-rdfc-2022`` proof by the issuer's current key), signed
in the transaction that issues or re-issues it, so a certificate never exists
without its credential. The learner is named by a salted hash of their account
id (the salt is derived from the certificate code with the site's secret, so
it is stable and not guessable); the printed name is a display name only.
Revocation uses Bitstring Status Lists of ``HOCVUSO_STATUS_LIST_SIZE`` bits
each: a certificate's ``status_index`` names its list and its position.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import override

from hocvuso.credentials.models import Certificate
from hocvuso.credentials.selectors import certificate_view
from hocvuso.credentials.vc.badge import (
    BadgeInput,
    Competence,
    Level,
    Recipient,
    StatusEntry,
    badge_build,
)
from hocvuso.credentials.vc.did import did_web, public_url
from hocvuso.credentials.vc.sign import credential_sign
from hocvuso.credentials.vc.status import status_list_length
from hocvuso.framework.models import Level as FrameworkLevel


def status_position(index: int) -> tuple[str, int]:
    """Return the list id and the position in it of a certificate's index.

    List "1" holds indices 0…size-1, list "2" the next ``size``, and so on:
    a site that issues more certificates than one list holds gets more lists.
    """
    size = status_list_length()
    return str(index // size + 1), index % size


def revoked_status_indices(list_id: str) -> list[int] | None:
    """Return the revoked positions of ``list_id`` (None: no such list)."""
    if not list_id.isdigit() or int(list_id) < 1:
        return None
    size = status_list_length()
    low = (int(list_id) - 1) * size
    in_list = Certificate.objects.filter(
        status_index__gte=low, status_index__lt=low + size
    )
    if not in_list.exists():
        return None
    revoked = in_list.filter(
        Q(revoked_at__isnull=False) | Q(confirmation__revoked_at__isnull=False)
    )
    return [i - low for i in revoked.values_list("status_index", flat=True)]


def _salt(certificate: Certificate) -> str:
    key = str(settings.SECRET_KEY).encode()
    return hmac.new(key, certificate.code.encode(), hashlib.sha256).hexdigest()[:32]


def certificate_credential(
    certificate: Certificate, *, now: datetime
) -> dict[str, Any]:
    """Return the signed ``OpenBadgeCredential`` of the certificate's version."""
    from hocvuso.credentials.vc_views import status_list_url

    list_id, position = status_position(certificate.status_index)
    vi = certificate_view(certificate, language="vi")
    en = certificate_view(certificate, language="en")
    result = certificate.confirmation.result
    group = result.target_group
    levels = FrameworkLevel.objects.filter(framework_id=result.framework_id)
    with override("vi"):
        scale = [Level(code=lv.code, name=str(lv.name)) for lv in levels]
        site = str(settings.SITE_NAME)
    achievement = f"urn:hocvuso:achievement:{group.slug}:{vi.level_code or 'none'}"
    data = BadgeInput(
        credential_id=f"{vi.verify_url}#v{certificate.version}",
        issuer_id=did_web(),
        issuer_name=f"{site} (hocvuso)",
        issuer_url=public_url("/"),
        achievement_id=achievement,
        achievement_name=f"Kỹ năng số: {vi.target_group}, bậc {vi.level_code}",
        achievement_name_en=f"Digital skills: {en.target_group}, level {en.level_code}",
        achievement_description=(
            f"Đạt bậc {vi.level_code} ({vi.level_name}) trong bài đánh giá năng lực "
            f"số có giám sát dành cho nhóm {vi.target_group}; đơn vị: {vi.issuer}."
        ),
        achievement_description_en=(
            f"Reached level {en.level_code} ({en.level_name}) in the supervised "
            f"digital-competence assessment for {en.target_group}; unit: {en.issuer}."
        ),
        criteria_narrative=(
            "Bài đánh giá thích ứng có người giám sát theo khung năng lực số "
            "Thông tư 02/2025/TT-BGDĐT; danh tính người học đã được xác thực "
            "(VNeID mức 2 hoặc người giám sát kiểm tra căn cước); kết quả đạt "
            "mức yêu cầu của nhóm."
        ),
        recipient=Recipient(
            identifier=str(result.user_id),
            salt=_salt(certificate),
            display_name=certificate.name_on_certificate,
        ),
        valid_from=now,
        competences=[Competence(code=c.code, name=c.name) for c in vi.competences],
        levels=scale,
        level_reached=vi.level_code,
        target_group=vi.target_group,
        status=StatusEntry(list_url=status_list_url(list_id), index=position),
    )
    return credential_sign(badge_build(data), created=now)


def certificate_sign(certificate: Certificate, *, now: datetime) -> None:
    """Sign the certificate's current version and store the credential."""
    certificate.credential = certificate_credential(certificate, now=now)
    certificate.save(update_fields=["credential", "updated_at"])
