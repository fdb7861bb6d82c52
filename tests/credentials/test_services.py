"""Confirmation rules, the background tasks, revocation and re-issue."""

from __future__ import annotations

from typing import Any

import pytest
from tests.factories import user_with_role

from hocvuso.assessment.errors import NotAllowed as SupervisionNotAllowed
from hocvuso.assessment.supervision import sitting_id_card_check
from hocvuso.core.models import AuditLog
from hocvuso.core.tasks import tasks_run_pending
from hocvuso.credentials import services
from hocvuso.credentials.errors import (
    AlreadyRevoked,
    EvidenceMissing,
    NotAllowed,
    ReasonRequired,
)
from hocvuso.credentials.models import Certificate, CertificateVersion, Confirmation
from hocvuso.credentials.selectors import code_is_wellformed

from .conftest import COMMUNE, HANOI_COMMUNE, OTHER_COMMUNE, PROVINCE

pytestmark = pytest.mark.django_db


def test_level_two_identity_is_confirmed_and_certified_by_the_tasks(
    sitting_factory: Any,
) -> None:
    s = sitting_factory(identity_level=2)
    confirmation = Confirmation.objects.get(result=s.result)
    assert confirmation.method == "automatic" and confirmation.confirmed_by is None
    assert confirmation.evidence["schema_version"] == 1
    assert confirmation.evidence["identity"]["kind"] == "vneid"
    assert confirmation.evidence["supervision"]["id"] == str(s.sup.pk)
    assert confirmation.evidence["supervisor"] == str(s.supervisor.pk)
    certificate = Certificate.objects.get(confirmation=confirmation)
    assert code_is_wellformed(certificate.code) and len(certificate.code) == 20
    assert certificate.name_on_certificate == "Nguyễn Thị Ánh"
    assert certificate.version == 1 and certificate.credential is not None
    assert certificate.credential["credentialSubject"]["name"] == "Nguyễn Thị Ánh"
    assert CertificateVersion.objects.filter(certificate=certificate).count() == 1
    assert AuditLog.objects.filter(action="result.confirm").count() == 1
    assert AuditLog.objects.filter(action="certificate.issue").count() == 1


def test_id_card_check_after_the_result_confirms_it(
    sitting_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    s = sitting_factory()
    assert s.result.passed and s.result.supervised
    assert not Confirmation.objects.exists()  # identity not verified yet
    with django_capture_on_commit_callbacks(execute=True):
        sitting_id_card_check(actor=s.supervisor, session_id=str(s.result.session_id))
    tasks_run_pending()
    confirmation = Confirmation.objects.get(result=s.result)
    assert confirmation.evidence["identity"]["kind"] == "id_card"
    assert confirmation.evidence["identity"]["checked_by"] == str(s.supervisor.pk)
    assert Certificate.objects.filter(confirmation=confirmation).count() == 1
    assert AuditLog.objects.filter(action="sitting.id_card_check").count() == 1


def test_tasks_delivered_twice_do_nothing_twice(sitting_factory: Any) -> None:
    s = sitting_factory(identity_level=2)
    first = Confirmation.objects.get(result=s.result)
    again = services.result_confirm_auto(result_id=str(s.result.pk))
    assert again is not None and again.pk == first.pk
    cert = services.certificate_issue(confirmation_id=str(first.pk))
    assert cert is not None
    assert services.certificate_issue(confirmation_id=str(first.pk)) == cert
    assert Confirmation.objects.count() == 1 and Certificate.objects.count() == 1
    assert AuditLog.objects.filter(action="certificate.issue").count() == 1
    assert services.result_confirm_auto(result_id="not-a-uuid") is None


@pytest.mark.parametrize(
    ("kwargs", "missing"),
    [
        ({"supervised": False, "identity_level": 2}, "không làm tại buổi có giám sát"),
        ({"right": False, "identity_level": 2}, "chưa đạt bậc"),
        ({}, "Chưa xác thực danh tính"),
    ],
)
def test_results_missing_evidence_are_not_confirmed(
    sitting_factory: Any, kwargs: dict[str, Any], missing: str
) -> None:
    s = sitting_factory(**kwargs)
    assert not Confirmation.objects.exists()
    officer = user_with_role("commune_officer", commune_code=COMMUNE)
    with pytest.raises(EvidenceMissing, match=missing):
        services.result_confirm(actor=officer, result_id=str(s.result.pk))
    assert not Confirmation.objects.exists()
    assert not AuditLog.objects.filter(action="result.confirm").exists()


def test_only_the_supervisor_or_an_officer_of_the_commune_checks_the_card(
    sitting_factory: Any,
) -> None:
    s = sitting_factory()
    session_id = str(s.result.session_id)
    for outsider in (
        user_with_role("commune_officer", commune_code=OTHER_COMMUNE),
        user_with_role("community_helper", commune_code=COMMUNE),
        s.learner,
    ):
        with pytest.raises(SupervisionNotAllowed):
            sitting_id_card_check(actor=outsider, session_id=session_id)
    colleague = user_with_role("commune_officer", commune_code=COMMUNE)
    checked = sitting_id_card_check(actor=colleague, session_id=session_id)
    assert checked.id_card_checked_by == colleague
    again = sitting_id_card_check(actor=s.supervisor, session_id=session_id)
    assert again.id_card_checked_by == colleague  # the first check stays


def test_manual_confirmation_by_an_officer_of_the_unit(
    sitting_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    s = sitting_factory()
    session_id = str(s.result.session_id)
    # The check is recorded without its signal (as if the task were lost).
    sitting_id_card_check(actor=s.supervisor, session_id=session_id)
    assert not Confirmation.objects.exists()
    for outsider in (
        user_with_role("commune_officer", commune_code=OTHER_COMMUNE),
        user_with_role("province_officer", province_code=1),
        user_with_role("community_helper", commune_code=COMMUNE),
    ):
        with pytest.raises(NotAllowed):
            services.result_confirm(actor=outsider, result_id=str(s.result.pk))
    province = user_with_role("province_officer", province_code=PROVINCE)
    with django_capture_on_commit_callbacks(execute=True):
        confirmation = services.result_confirm(
            actor=province, result_id=str(s.result.pk)
        )
    assert confirmation.method == "manual" and confirmation.confirmed_by == province
    tasks_run_pending()
    assert Certificate.objects.filter(confirmation=confirmation).count() == 1
    again = services.result_confirm(actor=province, result_id=str(s.result.pk))
    assert again.pk == confirmation.pk


def test_revoke_needs_a_reason_and_an_officer_of_the_unit(
    sitting_factory: Any,
) -> None:
    s = sitting_factory(identity_level=2)
    certificate = Certificate.objects.get()
    officer = user_with_role("commune_officer", commune_code=COMMUNE)
    with pytest.raises(ReasonRequired):
        services.certificate_revoke(
            actor=officer, certificate_id=str(certificate.pk), reason="  "
        )
    hanoi = user_with_role("commune_officer", commune_code=HANOI_COMMUNE)
    with pytest.raises(NotAllowed):
        services.certificate_revoke(
            actor=hanoi, certificate_id=str(certificate.pk), reason="Sai người"
        )
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    revoked = services.certificate_revoke(
        actor=officer, certificate_id=str(certificate.pk), reason="Thi hộ"
    )
    assert revoked.revoked_at is not None and revoked.revoked_reason == "Thi hộ"
    confirmation = Confirmation.objects.get(result=s.result)
    assert confirmation.revoked_by == officer and confirmation.is_revoked
    with pytest.raises(AlreadyRevoked):
        services.confirmation_revoke(
            actor=officer, confirmation_id=str(confirmation.pk), reason="again"
        )
    # A revoked certificate is never replaced by a task run again.
    assert services.certificate_issue(confirmation_id=str(confirmation.pk)) is None
    assert services.result_confirm_auto(result_id=str(s.result.pk)) == confirmation
    assert Certificate.objects.count() == 1
    audit = AuditLog.objects.get(action="certificate.revoke")
    assert audit.actor == officer and audit.after == {"reason": "Thi hộ"}


def test_reissue_keeps_the_code_and_records_the_version(sitting_factory: Any) -> None:
    sitting_factory(identity_level=2, name="Nguyen Thi Anh")
    certificate = Certificate.objects.get()
    officer = user_with_role("commune_officer", commune_code=COMMUNE)
    with pytest.raises(ReasonRequired):
        services.certificate_reissue(
            actor=officer, certificate_id=str(certificate.pk), name="X", reason=""
        )
    other = user_with_role("commune_officer", commune_code=OTHER_COMMUNE)
    with pytest.raises(NotAllowed):
        services.certificate_reissue(
            actor=other,
            certificate_id=str(certificate.pk),
            name="Nguyễn Thị Ánh",
            reason="Sửa dấu",
        )
    again = services.certificate_reissue(
        actor=officer,
        certificate_id=str(certificate.pk),
        name="  Nguyễn  Thị Ánh ",
        reason="Sửa dấu",
    )
    assert again.code == certificate.code and again.version == 2
    assert again.name_on_certificate == "Nguyễn Thị Ánh"
    assert again.credential is not None
    assert again.credential["credentialSubject"]["name"] == "Nguyễn Thị Ánh"
    versions = list(again.versions.values_list("version", "name_on_certificate"))
    assert versions == [(1, "Nguyen Thi Anh"), (2, "Nguyễn Thị Ánh")]
    assert AuditLog.objects.filter(action="certificate.reissue").count() == 1
