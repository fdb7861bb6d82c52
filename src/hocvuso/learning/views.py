"""Learner pages: catalogue, course, lesson, self-check, my learning."""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.accounts.guidance import acting_for, acting_learner
from hocvuso.accounts.models import User
from hocvuso.accounts.selectors import user_profile_get
from hocvuso.framework.models import Competence, TargetGroup
from hocvuso.learning import language
from hocvuso.learning.explain import course_codes, course_start
from hocvuso.learning.forms import SelfCheckForm
from hocvuso.learning.selectors import (
    Reader,
    competence_progress,
    continue_lesson,
    course_get,
    course_list,
    course_progress,
    lesson_get,
    lesson_neighbours,
    progress_map,
    reader_for,
)
from hocvuso.learning.services import progress_record
from hocvuso.packs.languages import KNOWN, language_name

TEXT_SIZE_COOKIE = "hvs_text"
_SESSION_KEY = "lesson_started"


def _user(request: HttpRequest) -> User | None:
    """Return the learner whose progress is shown and saved (maybe guided)."""
    return acting_learner(request)


def _helper(request: HttpRequest) -> User | None:
    """Return the helper guiding the learner on this phone, if any."""
    acting = acting_for(request)
    return acting.helper if acting is not None else None


def previews_drafts(request: HttpRequest) -> bool:
    """Return whether the signed-in person previews draft packs (content editors)."""
    return request.user.has_perm("learning.edit_content")


def _reader(request: HttpRequest) -> Reader:
    """Return whose courses are shown: the learner's province decides."""
    return reader_for(_user(request))


@require_GET
@language.content_language
def catalogue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    group = request.GET.get("group", "")[:40]
    competence = request.GET.get("competence", "")[:8]
    reader = Reader()
    if user is not None:
        profile = user_profile_get(user=user)
        if profile and profile.commune:
            reader = Reader(profile.commune.province_id)
        if "group" not in request.GET and profile and profile.target_group:
            group = profile.target_group.slug
    courses = list(
        course_list(
            group=group,
            competence=competence,
            reader=reader,
            include_drafts=previews_drafts(request),
        )
    )
    if group:  # the group's own tracks first, then the courses for everyone
        courses.sort(key=lambda c: c.for_all_groups)
    done: dict[str, int] = {}
    if user is not None:
        for cp in course_progress(user=user):
            done[str(cp.course.pk)] = cp.percent
    return render(
        request,
        "learning/catalogue.html",
        {
            "courses": [(c, done.get(str(c.pk))) for c in courses],
            "groups": TargetGroup.objects.all(),
            "competences": Competence.objects.filter(
                framework__slug="tt02-2025"
            ).order_by("order"),
            "group": group,
            "competence": competence,
            "continue_lesson": continue_lesson(user=user) if user else None,
        },
    )


@require_GET
@language.content_language
def course_detail(request: HttpRequest, course: str) -> HttpResponse:
    obj = course_get(
        slug=course, reader=_reader(request), include_drafts=previews_drafts(request)
    )
    if obj is None:
        raise Http404
    lessons = list(obj.lessons.all())
    user = _user(request)
    progress = progress_map(user=user, lessons=lessons) if user else {}
    rows = [(lesson, progress.get(str(lesson.pk))) for lesson in lessons]
    done = sum(1 for _, p in rows if p and p.completed_at)
    return render(
        request,
        "learning/course.html",
        {
            "course": obj,
            "rows": rows,
            "done": done,
            "total": len(lessons),
            "percent": round(100 * done / len(lessons)) if lessons else 0,
            "codes": course_codes(lessons),
            "start": course_start(rows),
        },
    )


@require_GET
@language.content_language
def lesson_detail(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    obj = lesson_get(
        course_slug=course,
        slug=lesson,
        reader=_reader(request),
        include_drafts=previews_drafts(request),
    )
    if obj is None:
        raise Http404
    return _render_lesson(request, obj)


def _render_lesson(
    request: HttpRequest,
    lesson: object,
    *,
    form: SelfCheckForm | None = None,
    results: list[dict[str, object]] | None = None,
    status: int = 200,
) -> HttpResponse:
    from hocvuso.learning.models import Lesson

    assert isinstance(lesson, Lesson)
    user = _user(request)
    progress = None
    if user is not None:
        progress = progress_map(user=user, lessons=[lesson]).get(str(lesson.pk))
        if progress is None or progress.completed_at is None:
            progress = progress_record(
                actor=user, lesson=lesson, assisted_by=_helper(request)
            )
        started = request.session.get(_SESSION_KEY, {})
        started[str(lesson.pk)] = started.get(str(lesson.pk)) or int(time.time())
        request.session[_SESSION_KEY] = started
    prev, nxt = lesson_neighbours(lesson=lesson)
    languages = lesson.languages
    chosen = language.content_language_of(request)
    partial = [lang for lang in languages if lang not in ("vi", "en")]
    if chosen and chosen not in ("vi", "en") and chosen not in partial:
        partial.append(chosen)  # not written in it yet: offer the way back
    return render(
        request,
        "learning/lesson.html",
        {
            "lesson": lesson,
            # The lesson-language switch: only where a lesson has more than
            # the interface's two languages (the header switches those).
            "lesson_languages": [
                (lang, language_name(lang)) for lang in ["vi", *partial]
            ]
            if partial
            else [],
            "lesson_language": lesson.html_language,
            "fallback_language": language_name(chosen)
            if chosen and chosen not in ("vi", "en") and chosen not in languages
            else "",
            "progress": progress,
            "prev": prev,
            "next": nxt,
            "form": form or SelfCheckForm(lesson.self_check),
            "results": results,
            "score": sum(1 for r in results if r["correct"]) if results else None,
            "event_id": uuid.uuid4(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@language.content_language
def lesson_check(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    """Mark the self-check and show the explanations (nothing is graded)."""
    obj = lesson_get(
        course_slug=course,
        slug=lesson,
        reader=_reader(request),
        include_drafts=previews_drafts(request),
    )
    if obj is None:
        raise Http404
    if request.method == "GET":
        return redirect("learning:lesson", course=course, lesson=lesson)
    form = SelfCheckForm(obj.self_check, request.POST)
    if not form.is_valid():
        return _render_lesson(request, obj, form=form, status=400)
    results = form.results()
    user = _user(request)
    if user is not None:
        progress_record(
            actor=user,
            lesson=obj,
            self_check_score=sum(1 for r in results if r["correct"]),
            assisted_by=_helper(request),
        )
    return _render_lesson(request, obj, form=form, results=results)


@login_required
@require_POST
@language.content_language
def lesson_done(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    """Mark a lesson finished (idempotent: the form carries an event id)."""
    obj = lesson_get(
        course_slug=course,
        slug=lesson,
        reader=_reader(request),
        include_drafts=previews_drafts(request),
    )
    if obj is None:
        raise Http404
    user = _user(request)
    assert user is not None
    try:
        event_id = uuid.UUID(request.POST.get("event_id", ""))
    except ValueError:
        event_id = uuid.uuid4()
    started = request.session.get(_SESSION_KEY, {}).pop(str(obj.pk), None)
    request.session.modified = True
    seconds = int(time.time()) - int(started) if started else 0
    seconds = max(0, min(seconds, obj.minutes * 60 * 3))
    progress_record(
        actor=user,
        lesson=obj,
        completed=True,
        seconds=seconds,
        event_id=event_id,
        assisted_by=_helper(request),
    )
    _previous, nxt = lesson_neighbours(lesson=obj)
    if nxt is not None:
        messages.success(
            request,
            _("Saved: you finished “%(done)s”. Next: “%(next)s”.")
            % {"done": obj.title, "next": nxt.title},
        )
        return redirect("learning:lesson", course=obj.course.slug, lesson=nxt.slug)
    messages.success(
        request,
        _("Saved: you finished “%(done)s”, the last lesson of “%(course)s”.")
        % {"done": obj.title, "course": obj.course.title},
    )
    return redirect("learning:course", course=obj.course.slug)


@login_required
@require_GET
@language.content_language
def my_learning(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    assert user is not None
    return render(
        request,
        "learning/my_learning.html",
        {
            "continue_lesson": continue_lesson(user=user),
            "courses": course_progress(user=user),
            "competences": competence_progress(user=user),
        },
    )


@require_GET
def voice_help(request: HttpRequest) -> HttpResponse:
    """Explain how to install a Vietnamese reading voice on a phone."""
    return render(request, "learning/voice_help.html")


@require_http_methods(["POST"])
def text_size(request: HttpRequest) -> HttpResponse:
    """Switch large text on or off (a cookie, so it works without signing in)."""
    size = "large" if request.POST.get("size") == "large" else "normal"
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    response = redirect(target)
    response.set_cookie(
        TEXT_SIZE_COOKIE, size, max_age=365 * 86400, samesite="Lax", httponly=True
    )
    return response


@require_http_methods(["POST"])
def lesson_language(request: HttpRequest) -> HttpResponse:
    """Choose the language lessons are read in (a cookie, like the text size).

    Vietnamese or English clears the choice and switches the interface to
    it (as the header's switch does), so lessons follow the interface again;
    a pack language such as ``hmn`` shows lessons in it where they exist and
    in Vietnamese elsewhere, leaving the interface as it is.
    """
    lang = request.POST.get("language", "")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    if lang not in KNOWN:
        return HttpResponse(
            _("This language is not available."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = redirect(target)
    if lang in ("vi", "en"):
        response.delete_cookie(language.COOKIE)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, lang, max_age=365 * 86400, samesite="Lax"
        )
    else:
        response.set_cookie(
            language.COOKIE, lang, max_age=365 * 86400, samesite="Lax", httponly=True
        )
    return response
