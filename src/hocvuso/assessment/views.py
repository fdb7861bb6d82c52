"""Assessment pages: one question per screen, works without JavaScript."""

from __future__ import annotations

import uuid

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from hocvuso.accounts.guidance import acting_for
from hocvuso.accounts.models import User
from hocvuso.accounts.selectors import user_profile_get
from hocvuso.assessment.errors import AssessmentError, SessionClosed, WrongItem
from hocvuso.assessment.forms import AnswerForm, StartForm, SupervisionForm
from hocvuso.assessment.models import SupervisionSession
from hocvuso.assessment.selectors import (
    active_sessions,
    blueprint_for_group,
    blueprint_list,
    learner_province,
    result_get,
    result_list,
    result_review,
)
from hocvuso.assessment.services import (
    answer_submit,
    session_start,
    session_state,
)
from hocvuso.assessment.supervision import (
    sitting_id_card_check,
    supervision_get,
    supervision_is_open,
    supervision_open,
    supervision_overview,
    supervision_sittings,
)
from hocvuso.learning.selectors import lessons_for_competences


def _user(request: HttpRequest) -> User:
    """Return the learner these pages act for (a helper may be guiding them)."""
    acting = acting_for(request)
    assert acting is not None
    return acting.learner


def _supervisor(request: HttpRequest) -> User:
    """Return the signed-in person themselves (never the learner they guide)."""
    assert isinstance(request.user, User)
    return request.user


def _helper(request: HttpRequest) -> User | None:
    acting = acting_for(request)
    return acting.helper if acting is not None else None


def _rate(name: str, default: str):  # type: ignore[no-untyped-def]
    def rate(group: str | None, request: HttpRequest) -> str:
        return str(getattr(settings, name, default))

    return rate


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    profile = user_profile_get(user=user)
    mine = profile.target_group.slug if profile and profile.target_group else ""
    return render(
        request,
        "assessment/home.html",
        {
            "blueprints": blueprint_list(
                province=profile.commune.province_id
                if profile and profile.commune
                else None
            ),
            "my_group": mine,
            "active": list(active_sessions(user=user)),
            "results": list(result_list(user=user)[:10]),
            "form": StartForm(
                initial={"supervision_code": request.GET.get("code", "")}
            ),
            "guided": _helper(request) is not None,
        },
    )


@login_required
@require_POST
@ratelimit(key="user", rate=_rate("HOCVUSO_START_RATE", "20/h"), block=True)
def start(request: HttpRequest, group: str) -> HttpResponse:
    blueprint = blueprint_for_group(group, province=learner_province(_user(request)))
    if blueprint is None:
        raise Http404
    form = StartForm(request.POST)
    code = form.cleaned_data["supervision_code"] if form.is_valid() else ""
    try:
        session = session_start(
            actor=_user(request),
            blueprint=blueprint,
            supervision_code=code,
            assisted_by=_helper(request),
        )
    except AssessmentError as exc:
        messages.error(request, exc.message)
        return redirect("assessment:home")
    return redirect("assessment:session", session_id=session.pk)


@login_required
@require_http_methods(["GET", "POST"])
def session(request: HttpRequest, session_id: str) -> HttpResponse:
    """Show the current question; a POST answers it and shows the next one."""
    user = _user(request)
    try:
        state = session_state(actor=user, session_id=session_id)
    except AssessmentError as exc:
        raise Http404(exc.message) from exc
    if state.finished:
        return _to_result(state.result, session_id)
    item = state.item
    assert item is not None
    form = AnswerForm(item.options(), request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                answer_submit(
                    actor=user,
                    session_id=session_id,
                    item_id=form.cleaned_data["item_id"],
                    option=form.cleaned_data["option"],
                    attempt_id=form.cleaned_data["attempt_id"],
                )
            except (WrongItem, SessionClosed) as exc:
                messages.info(request, exc.message)
            except AssessmentError as exc:
                messages.error(request, exc.message)
            # Post/redirect/get: a reload never re-sends the answer.
            return redirect("assessment:session", session_id=session_id)
        status = 400
    else:
        form = AnswerForm(
            item.options(),
            initial={"attempt_id": uuid.uuid4(), "item_id": str(item.pk)},
        )
    return render(
        request,
        "assessment/question.html",
        {
            "state": state,
            "item": item,
            "scenario": item.text("scenario") if item.content.get("scenario") else "",
            "media": item.media(),
            "stem": item.text("stem"),
            "form": form,
        },
        status=status,
    )


def _to_result(result: object, session_id: str) -> HttpResponse:
    if result is None:
        return redirect("assessment:home")
    return redirect("assessment:result", result_id=result.pk)  # type: ignore[attr-defined]


@login_required
@require_GET
def result(request: HttpRequest, result_id: str) -> HttpResponse:
    r = result_get(user=_user(request), result_id=result_id)
    if r is None:
        raise Http404
    domains = r.profile.get("domains", {})
    weak = sorted(
        (code for code, d in domains.items() if d.get("theta", 0) < r.theta - 0.3),
        key=lambda c: domains[c]["theta"],
    )
    comps = r.profile.get("competences", {})
    weak_comps = [
        code for code, c in comps.items() if c["n"] and c["correct"] / c["n"] < 0.5
    ]
    weak_comps += [c for c in comps if c.split(".")[0] in weak and c not in weak_comps]
    from hocvuso.framework.models import Domain

    names = {d.code: d.name for d in Domain.objects.filter(framework_id=r.framework_id)}
    return render(
        request,
        "assessment/result.html",
        {
            "r": r,
            "domains": [
                (code, names.get(code, code), d) for code, d in sorted(domains.items())
            ],
            # The level column is shown only when an area had enough answers.
            "domain_levels": any(d.get("level") for d in domains.values()),
            "lessons": list(lessons_for_competences(codes=weak_comps, limit=6)),
            "review": result_review(result=r),
        },
    )


def _join_link(request: HttpRequest, sup: SupervisionSession) -> dict[str, str]:
    """Return the link learners open to join ``sup`` and its QR code (data URI)."""
    url = request.build_absolute_uri(reverse("assessment:home") + f"?code={sup.code}")
    return {
        "url": url,
        "qr": segno.make(url, error="m").svg_data_uri(scale=6, border=2),
    }


@login_required
@require_http_methods(["GET", "POST"])
def supervise(request: HttpRequest) -> HttpResponse:
    """List my open and past supervised sittings; open a new one (POST)."""
    user = request.user
    assert isinstance(user, User)
    form = SupervisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sup = supervision_open(
                actor=user,
                place=form.cleaned_data["place"],
                minutes=form.cleaned_data["minutes"],
            )
        except AssessmentError as exc:
            messages.error(request, exc.message)
            return redirect("assessment:supervise")
        # Redirect: the code stays on its own page, found again from the list.
        return redirect("assessment:supervision_detail", supervision_id=sup.pk)
    overview = supervision_overview(actor=user)
    return render(
        request,
        "assessment/supervise.html",
        {
            "form": form,
            "open_sittings": [
                {"sup": sup} | _join_link(request, sup) for sup in overview.open
            ],
            "past_sittings": overview.past,
        },
    )


@login_required
@require_GET
def supervision_detail(request: HttpRequest, supervision_id: str) -> HttpResponse:
    """Show a sitting's code and QR (while open) and who sat, with results."""
    try:
        sup = supervision_get(actor=_supervisor(request), supervision_id=supervision_id)
    except AssessmentError as exc:
        raise Http404(exc.message) from exc
    context: dict[str, object] = {
        "sup": sup,
        "is_open": supervision_is_open(sup),
        "sittings": list(supervision_sittings(sup=sup)),
    }
    if context["is_open"]:
        context |= _join_link(request, sup)
    return render(request, "assessment/supervision_detail.html", context)


@login_required
@require_POST
def sitting_check(
    request: HttpRequest, supervision_id: str, session_id: str
) -> HttpResponse:
    """Record the in-person citizen ID card check of one sitting."""
    user = _supervisor(request)
    try:
        sup = supervision_get(actor=user, supervision_id=supervision_id)
    except AssessmentError as exc:
        raise Http404(exc.message) from exc
    try:
        sitting_id_card_check(actor=user, session_id=session_id)
    except AssessmentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("ID card check recorded."))
    return redirect("assessment:supervision_detail", supervision_id=sup.pk)
