"""Pages for assisted learners: my assisted people, guiding, cards, claiming.

See ``accounts/guidance.py`` (acting for a learner) and ``accounts/claims.py``
(the card's claim code) for the rules; these views only parse and render.
"""

from __future__ import annotations

import uuid

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.exceptions import Ratelimited

from hocvuso.accounts.claims import (
    account_claim,
    claim_attempt_begin,
    claim_attempt_right,
    claim_check_kind,
    claim_code_issue,
    claim_find,
    claim_find_live,
    code_format,
    may_issue_card,
)
from hocvuso.accounts.errors import AccountError
from hocvuso.accounts.forms import ClaimAccountForm, ClaimCodeForm, GrantForm
from hocvuso.accounts.guidance import (
    GUIDANCE_CONSENT_VERSION,
    grant_active,
    guidance_end,
    guidance_grant,
    guide_start,
    guide_stop,
    learner_commune,
    officer_of,
)
from hocvuso.accounts.identifiers import Kind, parse_identifier
from hocvuso.accounts.models import ClaimCode, GuidanceGrant, User
from hocvuso.accounts.selectors import assisted_learners, guidance_grants_for

_CLAIM_SESSION = "hocvuso_claim"
PER_PAGE = 20


def _viewer(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _learner_for(viewer: User, user_id: uuid.UUID) -> User:
    """Return a learner ``viewer`` helps or oversees, else 404."""
    learner = assisted_learners(viewer=viewer).filter(pk=user_id).first()
    if learner is None:
        raise Http404
    return learner


@login_required
@permission_required("accounts.assist_registration", raise_exception=True)
@require_GET
def assisted_list(request: HttpRequest) -> HttpResponse:
    """List the people I help ("Người tôi hỗ trợ"), searchable and paginated."""
    q = request.GET.get("q", "")[:100]
    page = Paginator(assisted_learners(viewer=_viewer(request), q=q), PER_PAGE)
    return render(
        request,
        "accounts/assisted_list.html",
        {"page": page.get_page(request.GET.get("page")), "q": q},
    )


@login_required
@permission_required("accounts.assist_registration", raise_exception=True)
@require_GET
def assisted_detail(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    viewer = _viewer(request)
    learner = _learner_for(viewer, user_id)
    commune = learner_commune(learner)
    return render(
        request,
        "accounts/assisted_detail.html",
        {
            "learner": learner,
            "commune": commune,
            "grants": list(guidance_grants_for(learner=learner)),
            "can_guide": grant_active(helper=viewer, learner=learner) is not None,
            "can_print": may_issue_card(viewer, learner),
            "is_officer": officer_of(viewer, commune.pk if commune else None),
            "grant_form": GrantForm(),
            "live_card": ClaimCode.objects.filter(
                learner=learner, used_at__isnull=True, voided_at__isnull=True
            ).first(),
        },
    )


@login_required
@permission_required("accounts.assist_registration", raise_exception=True)
@require_POST
def guide_begin(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Start guiding a learner on this phone, then open the lessons."""
    learner = _learner_for(_viewer(request), user_id)
    try:
        guide_start(request=request, learner=learner)
    except AccountError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:assisted_detail", user_id=user_id)
    messages.success(
        request,
        _("You are now guiding %(name)s: lessons and tests are saved for them.")
        % {"name": learner.full_name},
    )
    return redirect("learning:catalogue")


@login_required
@require_POST
def guide_finish(request: HttpRequest) -> HttpResponse:
    guide_stop(request=request)
    messages.success(request, _("Guidance ended. Pages are yours again."))
    return redirect("accounts:assisted_list")


@login_required
@permission_required("accounts.assist_registration", raise_exception=True)
@require_POST
def card_issue(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Issue a new claim code and show the printable card (shown only now)."""
    viewer = _viewer(request)
    learner = _learner_for(viewer, user_id)
    try:
        claim, code = claim_code_issue(actor=viewer, learner=learner)
    except AccountError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:assisted_detail", user_id=user_id)
    grouped = code_format(code)
    url = request.build_absolute_uri(reverse("accounts:claim") + f"?code={grouped}")
    response = render(
        request,
        "accounts/card.html",
        {
            "learner": learner,
            "code": grouped,
            "claim": claim,
            "url": url,
            "qr": segno.make(url, error="m").svg_data_uri(scale=5, border=2),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@permission_required("accounts.assist_registration", raise_exception=True)
@require_POST
def grant_add(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Let another helper of the commune guide the learner (officers only)."""
    viewer = _viewer(request)
    learner = _learner_for(viewer, user_id)
    form = GrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the helper's phone number and the consent."))
        return redirect("accounts:assisted_detail", user_id=user_id)
    ident = parse_identifier(form.cleaned_data["helper"])
    helper = (
        User.objects.filter(phone=ident.value).first()
        if ident.kind is Kind.PHONE
        else None
    )
    try:
        if helper is None:
            raise AccountError(_("No helper of this commune has this phone number."))
        guidance_grant(
            actor=viewer,
            helper=helper,
            learner=learner,
            consent_given=form.cleaned_data["consent"],
        )
    except AccountError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(name)s can now guide this person.") % {"name": helper}
        )
    return redirect("accounts:assisted_detail", user_id=user_id)


@login_required
@require_POST
def grant_end(request: HttpRequest, grant_id: uuid.UUID) -> HttpResponse:
    """End a grant: by the learner themselves or an officer of the commune."""
    viewer = _viewer(request)
    grant = GuidanceGrant.objects.filter(pk=grant_id).first()
    if grant is None:
        raise Http404
    reason = (
        GuidanceGrant.EndReason.REVOKED_LEARNER
        if viewer.pk == grant.learner_id
        else GuidanceGrant.EndReason.REVOKED_OFFICER
    )
    try:
        guidance_end(actor=viewer, grant=grant, reason=reason)
    except AccountError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("This help has ended."))
    if viewer.pk == grant.learner_id:
        return redirect("accounts:profile")
    return redirect("accounts:assisted_detail", user_id=grant.learner_id)


@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest) -> HttpResponse:
    """Step 1 of taking over an account: the code on the card."""
    if request.method == "GET":
        form = ClaimCodeForm(initial={"code": request.GET.get("code", "")[:20]})
        return render(request, "accounts/claim.html", {"form": form})
    form = ClaimCodeForm(request.POST)
    attempt = claim_attempt_begin(request)
    if not attempt.allowed:
        raise Ratelimited
    found = claim_find(form.data.get("code", "")) if form.is_valid() else None
    if found is None:
        form.add_error(
            "code" if "code" not in form.errors else None,
            _(
                "This code is not right or can no longer be used. Check it, or "
                "ask your helper or the commune office for a new card."
            ),
        )
        return render(request, "accounts/claim.html", {"form": form}, status=400)
    claim_attempt_right(attempt)
    request.session[_CLAIM_SESSION] = str(found.pk)
    return redirect("accounts:claim_account")


@require_http_methods(["GET", "POST"])
def claim_account(request: HttpRequest) -> HttpResponse:
    """Step 2: confirm a detail, choose a phone number and a password."""
    found = (
        ClaimCode.objects.filter(pk=str(request.session.get(_CLAIM_SESSION, "")))
        .select_related("learner__profile")
        .first()
        if request.session.get(_CLAIM_SESSION)
        else None
    )
    if found is None:
        return redirect("accounts:claim")
    learner = found.learner
    kind = claim_check_kind(learner)
    form = ClaimAccountForm(
        request.POST or None, check_kind=kind, initial={"phone": learner.phone or ""}
    )
    status = 200
    if request.method == "POST":
        status = 400
        attempt = claim_attempt_begin(request)
        if not attempt.allowed:
            raise Ratelimited
        if form.is_valid():
            d = form.cleaned_data
            try:
                user = account_claim(
                    claim_id=found.pk,
                    check=d.get("detail", ""),
                    phone=d.get("phone", ""),
                    password=d["password"],
                )
            except ValidationError as exc:
                claim_attempt_right(attempt)  # a typo in a password is no guess
                for field, errors in exc.error_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            except AccountError as exc:
                found.refresh_from_db()
                if claim_find_live(found, timezone.now()) is None:
                    request.session.pop(_CLAIM_SESSION, None)
                    messages.error(request, exc.message)
                    return redirect("accounts:claim")
                form.add_error(
                    "detail" if "detail" in form.fields else None,
                    _("This does not match what the account holds."),
                )
            else:
                claim_attempt_right(attempt)
                request.session.pop(_CLAIM_SESSION, None)
                login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
                messages.success(
                    request,
                    _("The account is yours now. Sign in with %(login)s next time.")
                    % {"login": user.username},
                )
                return redirect("accounts:profile")
    return render(
        request,
        "accounts/claim_account.html",
        {
            "form": form,
            "learner": learner,
            "consent_version": GUIDANCE_CONSENT_VERSION,
        },
        status=status,
    )
