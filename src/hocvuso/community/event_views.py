"""Event pages: public list and page, calendar files, registration, management."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.accounts.models import User
from hocvuso.community import event_access
from hocvuso.community.event_errors import EventError, EventInvalid
from hocvuso.community.event_forms import (
    CancelForm,
    EventFilterForm,
    EventForm,
    FestivalForm,
)
from hocvuso.community.event_selectors import (
    attendance_of,
    event_get_for_manage,
    event_get_visible,
    event_list_public,
    events_managed,
    registration_of,
    registrations_of_user,
)
from hocvuso.community.events import (
    event_cancel,
    event_create,
    event_publish,
    event_update,
    festival_programme_create,
)
from hocvuso.community.ics import events_ics
from hocvuso.community.models import Event, EventStatus, Team
from hocvuso.community.registrations import registration_cancel, registration_create
from hocvuso.geo.models import Commune

PAGE_SIZE = 20


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def event_error_page(request: HttpRequest, exc: EventError) -> HttpResponse:
    return render(
        request,
        "community/events/error.html",
        {"message": exc.message},
        status=exc.status,
    )


def shows_event_errors(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Render an ``EventError`` as a page with its status and message."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except EventError as exc:
            return event_error_page(request, exc)

    return wrapper


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """List upcoming events, by province and commune, kind and dates."""
    form = EventFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {
            "province_code": d["province"].code if d.get("province") else None,
            "commune_code": d["commune"].code if d.get("commune") else None,
            "kind": d.get("kind") or None,
            "day_from": d.get("day_from"),
            "day_to": d.get("day_to"),
        }
    page = Paginator(event_list_public(**filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for event in page.object_list:
        event.places_left = max(0, event.capacity - event.n_registered)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    ics_query = {k: v for k, v in query.items() if k in ("province", "commune")}
    return render(
        request,
        "community/events/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "ics_url": reverse("community:events_ics")
            + ("?" + "&".join(f"{k}={v}" for k, v in ics_query.items())),
        },
    )


def _event_url(request: HttpRequest, event: Event) -> str:
    return request.build_absolute_uri(reverse("community:event", args=[event.pk]))


@require_GET
def events_calendar(request: HttpRequest) -> HttpResponse:
    """Return the upcoming events of a commune or province as one .ics file."""
    events = event_list_public(
        province_code=_int(request.GET.get("province")),
        commune_code=_int(request.GET.get("commune")),
    )[:200]
    body = events_ics(
        [(e, _event_url(request, e)) for e in events],
        name=_("Digital literacy events"),
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hocvuso-events.ics"'
    return response


@require_GET
@shows_event_errors
def event_detail(request: HttpRequest, event_id: str) -> HttpResponse:
    event = event_get_visible(user=request.user, event_id=event_id)
    user = request.user
    helper = user.is_authenticated and event_access.event_can_scan(user, event)
    assisted: QuerySet[User] | list[User] = []
    if user.is_authenticated and helper:
        assisted = User.objects.filter(registered_by=user, is_active=True).order_by(
            "full_name"
        )
    now = timezone.now()
    return render(
        request,
        "community/events/detail.html",
        {
            "event": event,
            "registration": registration_of(user=user, event=event),
            "attendance": attendance_of(user=user, event=event),
            "can_manage": event_access.event_can_manage(user, event),
            "can_view_attendance": user.is_authenticated
            and event_access.event_can_view_attendance(user, event),
            "can_scan": helper,
            "assisted": assisted,
            "open": event.status == EventStatus.PUBLISHED and event.ends_at > now,
            "places_left": max(0, event.capacity - event.n_registered),  # type: ignore[attr-defined]
        },
    )


@require_GET
@shows_event_errors
def event_ics(request: HttpRequest, event_id: str) -> HttpResponse:
    event = event_get_visible(user=request.user, event_id=event_id)
    body = events_ics(
        [(event, _event_url(request, event))], name=event.title, stamp=timezone.now()
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@login_required
@require_POST
@shows_event_errors
def event_register(request: HttpRequest, event_id: str) -> HttpResponse:
    actor = user_of(request)
    person = actor
    person_id = request.POST.get("person")
    if person_id:
        found = User.objects.filter(pk=person_id).first() if _uuid(person_id) else None
        if found is None:
            raise EventInvalid(_("Choose the person to register."))
        person = found
    reg = registration_create(actor=actor, event_id=event_id, person=person)
    if reg.status == "waiting":
        messages.info(
            request,
            _(
                "The event is full: %(name)s is on the waiting list and gets a "
                "place when someone cancels."
            )
            % {"name": person.full_name or person.username},
        )
    else:
        messages.success(
            request,
            _("%(name)s has a place at this event.")
            % {"name": person.full_name or person.username},
        )
    return redirect("community:event", event_id=event_id)


def _uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@login_required
@require_POST
@shows_event_errors
def event_unregister(request: HttpRequest, event_id: str) -> HttpResponse:
    registration_cancel(actor=user_of(request), event_id=event_id)
    messages.success(request, _("Your registration is cancelled."))
    return redirect("community:event", event_id=event_id)


@login_required
@require_GET
def my_events(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "community/events/mine.html",
        {"registrations": registrations_of_user(user=user_of(request))},
    )


def _creatable_communes(user: User) -> QuerySet[Commune]:
    ids = event_access.creatable_commune_ids(user)
    qs = Commune.objects.select_related("province").order_by("name")
    return qs if ids is None else qs.filter(code__in=ids)


@login_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    """List the events the officer or team leader runs; festival preset form."""
    user = user_of(request)
    communes = _creatable_communes(user)
    if not communes.exists() and not events_managed(user=user).exists():
        return event_error_page(request, event_access_error())
    page = Paginator(events_managed(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community/events/manage.html",
        {
            "page": page,
            "festival_form": FestivalForm(communes=communes),
            "can_create": communes.exists(),
        },
    )


def event_access_error() -> EventError:
    from hocvuso.community.event_errors import EventNotAllowed

    return EventNotAllowed(_("Only commune officers and team leaders run events."))


@login_required
@require_POST
@shows_event_errors
def festival_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = FestivalForm(request.POST, communes=_creatable_communes(user))
    if not form.is_valid():
        raise EventInvalid(_("Choose a commune and a year from 2025 on."))
    events = festival_programme_create(
        actor=user, commune=form.cleaned_data["commune"], year=form.cleaned_data["year"]
    )
    messages.success(
        request,
        _(
            "The festival programme has %(count)d events, as drafts: check the "
            "times and places, then publish each one."
        )
        % {"count": len(events)},
    )
    return redirect("community:events_manage")


def _teams_for(communes: QuerySet[Commune]) -> QuerySet[Team]:
    return Team.objects.filter(commune__in=communes, archived_at__isnull=True)


@login_required
@require_http_methods(["GET", "POST"])
@shows_event_errors
def event_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    communes = _creatable_communes(user)
    if not communes.exists():
        raise event_access_error()
    form = EventForm(
        request.POST or None,
        communes=communes,
        teams=_teams_for(communes),
        initial={"capacity": 30},
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = event_create(
                actor=user,
                commune=form.cleaned_data["commune"],
                data=form.event_data(),
            )
        except EventInvalid as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The event is saved as a draft."))
            return redirect("community:event", event_id=event.pk)
    return render(request, "community/events/form.html", {"form": form, "event": None})


@login_required
@require_http_methods(["GET", "POST"])
@shows_event_errors
def event_edit(request: HttpRequest, event_id: str) -> HttpResponse:
    user = user_of(request)
    event = event_get_for_manage(user=user, event_id=event_id)
    communes = Commune.objects.filter(pk=event.commune_id)
    initial = {
        "commune": event.commune,
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "venue": event.venue,
        "starts_at": timezone.localtime(event.starts_at),
        "ends_at": timezone.localtime(event.ends_at),
        "capacity": event.capacity,
        "target_group": event.target_group,
        "organiser_team": event.organiser_team,
    }
    form = EventForm(
        request.POST or None,
        communes=communes,
        teams=_teams_for(communes),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            event_update(actor=user, event=event, data=form.event_data())
        except EventInvalid as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The event is saved."))
            return redirect("community:event", event_id=event.pk)
    return render(request, "community/events/form.html", {"form": form, "event": event})


@login_required
@require_POST
@shows_event_errors
def event_publish_view(request: HttpRequest, event_id: str) -> HttpResponse:
    user = user_of(request)
    event = event_get_for_manage(user=user, event_id=event_id)
    event_publish(actor=user, event=event)
    messages.success(request, _("The event is published: everyone can see it."))
    return redirect("community:event", event_id=event.pk)


@login_required
@require_http_methods(["GET", "POST"])
@shows_event_errors
def event_cancel_view(request: HttpRequest, event_id: str) -> HttpResponse:
    user = user_of(request)
    event = event_get_for_manage(user=user, event_id=event_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        event_cancel(actor=user, event=event, notice=form.cleaned_data["notice"])
        messages.success(
            request, _("The event is cancelled; the people registered see the notice.")
        )
        return redirect("community:event", event_id=event.pk)
    return render(
        request, "community/events/cancel.html", {"form": form, "event": event}
    )
