"""Certificate pages: the learner's own, officers' results, public verification."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from hocvuso.accounts.models import User
from hocvuso.credentials import selectors, services
from hocvuso.credentials.errors import CredentialsError
from hocvuso.credentials.forms import ReasonForm, ReissueForm
from hocvuso.credentials.models import Certificate
from hocvuso.credentials.pdf import certificate_pdf
from hocvuso.credentials.rules import result_assess
from hocvuso.credentials.verification import verification_payload

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _rate(name: str, default: str):  # type: ignore[no-untyped-def]
    def rate(group: str | None, request: HttpRequest) -> str:
        return str(getattr(settings, name, default))

    return rate


def _wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    """Let someone type a code printed on a certificate."""
    code = selectors.code_normalise(request.GET.get("code", ""))
    if code:
        return redirect("credentials:verify", code=code)
    return render(request, "credentials/verify_form.html")


@require_GET
@ratelimit(key="ip", rate=_rate("HOCVUSO_VERIFY_RATE", "60/m"), block=True)
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Say whether a certificate is valid, revoked or unknown (HTML or JSON).

    ``/verify/<code>.json``, or an ``Accept: application/json`` header, gives
    the same answer as JSON. An unknown code answers 404 with the same shape.
    """
    as_json = code.endswith(".json") or _wants_json(request)
    code = code.removesuffix(".json")
    payload = verification_payload(selectors.certificate_by_code(code), code)
    status = 404 if payload["status"] == "unknown" else 200
    response: HttpResponse
    if as_json:
        response = JsonResponse(payload, status=status)
    else:
        cert = payload["certificate"] or {}
        dates = {
            k: date.fromisoformat(cert[k])
            for k in ("issued_on", "reissued_on", "revoked_on")
            if cert.get(k)
        }
        response = render(
            request,
            "credentials/verify.html",
            {
                "v": payload,
                "dates": dates,
                "code": selectors.code_display(payload["code"]),
            },
            status=status,
        )
    response["Cache-Control"] = "no-cache"
    response["X-Robots-Tag"] = "noindex"
    response["Vary"] = "Accept"
    return response


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """List the learner's certificates."""
    certificates = [
        (c, selectors.certificate_view(c))
        for c in selectors.certificate_list(user=_user(request))
    ]
    return render(request, "credentials/mine.html", {"certificates": certificates})


def _downloadable(request: HttpRequest, certificate_id: str) -> Certificate:
    """Return the live certificate the learner (or an officer of theirs) may get."""
    user = _user(request)
    certificate = selectors.certificate_get_for_user(
        user=user, certificate_id=certificate_id
    )
    if certificate is None:
        # An officer of the learner's unit may download it too.
        certificate = (
            selectors.certificate_all().filter(pk=_uuid(certificate_id)).first()
        )
        if certificate is None or not selectors.officer_can_manage(
            user, certificate.confirmation.result.user_id
        ):
            raise Http404
    if certificate.is_revoked:
        raise Http404(_("This certificate was revoked."))
    return certificate


@login_required
@require_GET
@ratelimit(
    key="user", rate=_rate("HOCVUSO_CERTIFICATE_DOWNLOAD_RATE", "30/h"), block=True
)
def download(request: HttpRequest, certificate_id: str) -> HttpResponse:
    """Send the learner's certificate as a PDF (``?lang=en`` for English)."""
    certificate = _downloadable(request, certificate_id)
    language = request.GET.get("lang", "")
    pdf = certificate_pdf(certificate, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{certificate.code}.pdf"'
    )
    return response


@login_required
@require_GET
@ratelimit(
    key="user", rate=_rate("HOCVUSO_CERTIFICATE_DOWNLOAD_RATE", "30/h"), block=True
)
def download_credential(request: HttpRequest, certificate_id: str) -> HttpResponse:
    """Send the certificate's signed Open Badges 3.0 credential (JSON)."""
    certificate = _downloadable(request, certificate_id)
    if not certificate.credential:
        raise Http404
    response = HttpResponse(
        json.dumps(certificate.credential, ensure_ascii=False, indent=2),
        content_type="application/vc+ld+json",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="credential-{certificate.code}.json"'
    )
    return response


def _uuid(value: str) -> Any:
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@login_required
@require_GET
def officer_results(request: HttpRequest) -> HttpResponse:
    """Results in the officer's unit, newest first, filtered by confirmation."""
    user = _user(request)
    if not selectors.is_officer(user):
        raise Http404
    state = request.GET.get("status", "")
    confirmed = {"confirmed": True, "unconfirmed": False}.get(state)
    page = Paginator(
        selectors.officer_results(actor=user, confirmed=confirmed), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request, "credentials/officer_results.html", {"page": page, "state": state}
    )


@login_required
@require_GET
def officer_result(request: HttpRequest, result_id: str) -> HttpResponse:
    """One result: its evidence, confirmation and certificate, and the actions."""
    user = _user(request)
    result = selectors.result_for_officer(actor=user, result_id=result_id)
    if result is None:
        raise Http404
    confirmation = getattr(result, "confirmation", None)
    certificate = (
        Certificate.objects.filter(confirmation=confirmation)
        .order_by("-issued_at")
        .first()
        if confirmation
        else None
    )
    rules = selectors.result_for_rules(result.pk)
    assert rules is not None
    return render(
        request,
        "credentials/officer_result.html",
        {
            "r": result,
            "confirmation": confirmation,
            "certificate": certificate,
            "versions": list(certificate.versions.all()) if certificate else [],
            "assessment": result_assess(rules),
            # Distinct ids: both forms have a "reason" field on one page.
            "revoke_form": ReasonForm(auto_id="revoke_%s"),
            "reissue_form": ReissueForm(
                auto_id="reissue_%s",
                initial={"name": certificate.name_on_certificate}
                if certificate
                else {},
            ),
        },
    )


def _back(result_id: object) -> HttpResponse:
    return redirect("credentials:officer_result", result_id=result_id)


@login_required
@require_POST
def officer_confirm(request: HttpRequest, result_id: str) -> HttpResponse:
    user = _user(request)
    result = selectors.result_for_officer(actor=user, result_id=result_id)
    if result is None:
        raise Http404
    try:
        services.result_confirm(actor=user, result_id=str(result.pk))
    except CredentialsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The result is confirmed."))
    return _back(result.pk)


@login_required
@require_POST
def officer_revoke(request: HttpRequest, result_id: str) -> HttpResponse:
    user = _user(request)
    result = selectors.result_for_officer(actor=user, result_id=result_id)
    confirmation = getattr(result, "confirmation", None) if result else None
    if result is None or confirmation is None:
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the reason."))
        return _back(result.pk)
    try:
        services.confirmation_revoke(
            actor=user,
            confirmation_id=str(confirmation.pk),
            reason=form.cleaned_data["reason"],
        )
    except CredentialsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The confirmation and its certificate are revoked.")
        )
    return _back(result.pk)


@login_required
@require_POST
def officer_reissue(request: HttpRequest, result_id: str) -> HttpResponse:
    user = _user(request)
    result = selectors.result_for_officer(actor=user, result_id=result_id)
    confirmation = getattr(result, "confirmation", None) if result else None
    certificate = (
        confirmation.certificates.filter(revoked_at__isnull=True).first()
        if confirmation
        else None
    )
    if result is None or certificate is None:
        raise Http404
    form = ReissueForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return _back(result.pk)
    try:
        services.certificate_reissue(
            actor=user,
            certificate_id=str(certificate.pk),
            name=form.cleaned_data["name"],
            reason=form.cleaned_data["reason"],
            language=form.cleaned_data["language"],
        )
    except CredentialsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The certificate was re-issued with the same code.")
        )
    return redirect(reverse("credentials:officer_result", args=[result.pk]))
