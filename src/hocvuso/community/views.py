"""Pages of the community app: teams, invitations, cards, visits, follow-ups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from uuid import UUID

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.accounts.models import User
from hocvuso.community import selectors as sel
from hocvuso.community import services
from hocvuso.community.errors import CommunityError, NotAllowed, NotFoundHere
from hocvuso.community.forms import (
    PEOPLE_RANGE,
    CardForm,
    InvitationForm,
    JoinForm,
    TeamForm,
    VisitForm,
)
from hocvuso.community.models import Activity, Invitation, MemberRole, TeamMember
from hocvuso.community.visits import PhotoUpload, VisitData, followup_done, visit_record
from hocvuso.geo.models import Commune

V = TypeVar("V", bound=Callable[..., HttpResponse])


def _raise_http(exc: CommunityError) -> None:
    if isinstance(exc, NotFoundHere):
        raise Http404(exc.message) from exc
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message) from exc


def http_errors(view: V) -> V:
    """Turn "not found" and "not allowed" from services into 404 and 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (NotFoundHere, NotAllowed) as exc:
            _raise_http(exc)
            raise

    return wrapper  # type: ignore[return-value]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _commune(code: int) -> Commune:
    return get_object_or_404(Commune.objects.select_related("province"), code=code)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The volunteer's and officer's start page."""
    user = _user(request)
    communes = Commune.objects.filter(
        code__in=sel.officer_commune_codes(user)
    ).select_related("province")
    return render(
        request,
        "community/home.html",
        {
            "memberships": sel.memberships_of(user),
            "officer_communes": communes,
            "followups": sel.followups(user=user)[:20],
            "today": timezone.localdate(),
        },
    )


def commune_public(request: HttpRequest, code: int) -> HttpResponse:
    """Public page: the commune's digital ambassadors and how to find them."""
    commune = _commune(code)
    cards = list(sel.public_cards(commune_code=commune.code))
    labels = dict(Activity.choices)
    return render(
        request,
        "community/commune_public.html",
        {
            "commune": commune,
            "cards": [
                (card, [labels[a] for a in card.helps_with if a in labels])
                for card in cards
            ],
            "teams": sel.teams_of_commune(commune_code=commune.code),
        },
    )


@login_required
def team_list(request: HttpRequest, code: int) -> HttpResponse:
    user = _user(request)
    commune = _commune(code)
    manage = sel.can_manage_commune(user, commune.code)
    if not manage and commune.province_id not in sel.officer_province_codes(user):
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "community/team_list.html",
        {
            "commune": commune,
            "manage": manage,
            "teams": sel.teams_of_commune(commune_code=commune.code),
            "archived": sel.teams_of_commune(commune_code=commune.code, archived=True),
            "tallies": sel.visit_tallies(
                commune_codes=[commune.code],
                start=today - timedelta(days=365),
                end=today,
            ),
            "activity_labels": dict(Activity.choices),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@http_errors
def team_create(request: HttpRequest, code: int) -> HttpResponse:
    user = _user(request)
    commune = _commune(code)
    if not sel.can_manage_commune(user, commune.code):
        raise Http404
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                actor=user, commune=commune, **form.cleaned_data
            )
        except CommunityError as exc:
            _raise_http(exc)
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The team is created. Now invite its members."))
            return redirect("community:team_detail", team_id=team.pk)
    return render(
        request, "community/team_form.html", {"form": form, "commune": commune}
    )


@login_required
@http_errors
def team_detail(request: HttpRequest, team_id: UUID) -> HttpResponse:
    user = _user(request)
    team, access = sel.team_get_for_user(user=user, team_id=team_id)
    today = timezone.localdate()
    return render(
        request,
        "community/team_detail.html",
        {
            "team": team,
            "access": access,
            "members": sel.team_members(team),
            "invitations": sel.team_invitations(team) if access.invite else [],
            "tallies": sel.visit_tallies(
                team=team, start=today - timedelta(days=365), end=today
            ),
            "activity_labels": dict(Activity.choices),
            "followups": sel.followups(user=user, team=team)[:50],
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@http_errors
def team_edit(request: HttpRequest, team_id: UUID) -> HttpResponse:
    user = _user(request)
    team, access = sel.team_get_for_user(user=user, team_id=team_id)
    if not access.manage:
        raise PermissionDenied
    initial = {"name": team.name, "kind": team.kind, "description": team.description}
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(actor=user, team=team, **form.cleaned_data)
        except CommunityError as exc:
            _raise_http(exc)
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The team is saved."))
            return redirect("community:team_detail", team_id=team.pk)
    return render(
        request,
        "community/team_form.html",
        {"form": form, "commune": team.commune, "team": team},
    )


@login_required
@require_POST
@http_errors
def team_archive(request: HttpRequest, team_id: UUID) -> HttpResponse:
    user = _user(request)
    team, _access = sel.team_get_for_user(user=user, team_id=team_id)
    services.team_archive(actor=user, team=team)
    messages.success(request, _("The team is archived; its visits are kept."))
    return redirect("community:team_list", code=team.commune_id)


@login_required
@require_http_methods(["GET", "POST"])
@http_errors
def invitation_create(request: HttpRequest, team_id: UUID) -> HttpResponse:
    user = _user(request)
    team, access = sel.team_get_for_user(user=user, team_id=team_id)
    if not access.invite:
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=user, team=team, **form.cleaned_data
            )
        except CommunityError as exc:
            _raise_http(exc)
            form.add_error(None, exc.message)
        else:
            return redirect("community:invitation_detail", invitation_id=invitation.pk)
    return render(
        request, "community/invitation_form.html", {"form": form, "team": team}
    )


def _invitation_for(user: User, invitation_id: UUID) -> Invitation:
    invitation = (
        Invitation.objects.select_related("team__commune__province")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not sel.team_access(user, invitation.team).invite:
        raise Http404
    return invitation


@login_required
def invitation_detail(request: HttpRequest, invitation_id: UUID) -> HttpResponse:
    invitation = _invitation_for(_user(request), invitation_id)
    path = reverse("community:join_code", kwargs={"code": invitation.code})
    url = settings.HOCVUSO_PUBLIC_URL.rstrip("/") + path
    return render(
        request,
        "community/invitation_detail.html",
        {
            "invitation": invitation,
            "url": url,
            "qr": segno.make(url, error="m").svg_data_uri(scale=6, border=2),
            "usable": invitation.revoked_at is None
            and invitation.expires_at > timezone.now()
            and invitation.uses < invitation.max_uses,
        },
    )


@login_required
@require_POST
@http_errors
def invitation_revoke(request: HttpRequest, invitation_id: UUID) -> HttpResponse:
    user = _user(request)
    invitation = _invitation_for(user, invitation_id)
    services.invitation_revoke(actor=user, invitation=invitation)
    messages.success(request, _("The invitation is cancelled."))
    return redirect("community:team_detail", team_id=invitation.team_id)


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, code: str = "") -> HttpResponse:
    """Accept an invitation (signed-in people; others sign in first)."""
    if not request.user.is_authenticated:
        login = reverse(settings.LOGIN_URL)
        return redirect(f"{login}?next={request.get_full_path()}")
    user = _user(request)
    form = JoinForm(request.POST or None, initial={"code": code})
    invitation = sel.invitation_by_code(code) if code else None
    if request.method == "POST" and form.is_valid():
        try:
            member = services.invitation_accept(
                actor=user, code=form.cleaned_data["code"]
            )
        except CommunityError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(
                request, _("Welcome to %(team)s!") % {"team": member.team.name}
            )
            return redirect("community:team_detail", team_id=member.team_id)
    return render(
        request, "community/join.html", {"form": form, "invitation": invitation}
    )


@login_required
@require_POST
@http_errors
def member_leave(request: HttpRequest, member_id: UUID) -> HttpResponse:
    user = _user(request)
    member = get_object_or_404(
        TeamMember.objects.select_related("team__commune", "user"), pk=member_id
    )
    if member.user_id != user.pk and not sel.team_access(user, member.team).view:
        raise Http404
    services.member_leave(actor=user, member=member)
    if member.user_id == user.pk:
        messages.success(request, _("You have left the team."))
        return redirect("community:home")
    messages.success(request, _("The member has left the team."))
    return redirect("community:team_detail", team_id=member.team_id)


@login_required
@require_http_methods(["GET", "POST"])
@http_errors
def card_edit(request: HttpRequest, member_id: UUID) -> HttpResponse:
    user = _user(request)
    member = get_object_or_404(
        TeamMember.objects.select_related("team__commune"),
        pk=member_id,
        user=user,
        left_at__isnull=True,
        role=MemberRole.AMBASSADOR,
    )
    card = getattr(member, "card", None)
    initial: dict[str, Any] = {"display_name": user.get_short_name(), "published": True}
    if card is not None:
        initial = {
            "display_name": card.display_name,
            "helps_with": card.helps_with,
            "helps_other": card.helps_other,
            "where_when": card.where_when,
            "contact": card.contact,
            "published": card.published,
        }
    form = CardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.card_save(actor=user, member=member, **form.cleaned_data)
        except CommunityError as exc:
            _raise_http(exc)
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your card is saved."))
            return redirect("community:commune_public", code=member.team.commune_id)
    return render(request, "community/card_form.html", {"form": form, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
@http_errors
def visit_new(request: HttpRequest) -> HttpResponse:
    """The visit log: a plain form (online), enhanced by visits.js (offline)."""
    user = _user(request)
    memberships = list(sel.memberships_of(user))
    if not memberships:
        messages.error(
            request, _("Join a team first: ask your team for an invitation.")
        )
        return redirect("community:join")
    teams = [(str(m.team_id), m.team.name) for m in memberships]
    form = VisitForm(request.POST or None, request.FILES or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        upload = d.get("photo")
        photo = (
            PhotoUpload(content=upload.read(), keep_location=d["keep_location"])
            if upload
            else None
        )
        data = VisitData(
            id=d["id"],
            team_id=UUID(d["team"]),
            visited_at=timezone.now(),
            hamlet=d["hamlet"],
            people_helped=d["people_helped"],
            activities=d["activities"],
            followup_what=d["followup_what"],
            followup_due=d["followup_due"],
            note=d["note"],
        )
        try:
            visit_record(actor=user, data=data, photo=photo)
        except CommunityError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The visit is saved. Thank you!"))
            return redirect("community:visit_new")
    team = memberships[0].team
    return render(
        request,
        "community/visit_form.html",
        {
            "form": form,
            "hamlets": sel.hamlet_suggestions(team=team),
            "people_range": PEOPLE_RANGE,
            "recent": sel.visits_visible(user).filter(volunteer=user)[:5],
        },
    )


@login_required
@require_POST
@http_errors
def followup_mark_done(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    user = _user(request)
    visit = sel.visit_get_for_user(user=user, visit_id=visit_id)
    followup_done(actor=user, visit=visit)
    messages.success(request, _("The follow-up is marked done."))
    nxt = request.POST.get("next", "")
    if nxt.startswith("/community/"):
        return redirect(nxt)
    return redirect("community:home")
