"""Site-wide pages: home, health checks, error pages, audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hocvuso.core.errors import status_message
from hocvuso.core.selectors import audit_log_list
from hocvuso.core.worker import workers_alive


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer while the process runs."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database is reachable, 503 otherwise.

    ``workers`` counts the background workers that look alive (informative: a
    web server can be ready while the workers run elsewhere or restart).
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": False}, status=503)
    try:
        workers: int | None = len(workers_alive())
    except DatabaseError:  # not migrated yet
        workers = None
    return JsonResponse({"status": "ok", "database": True, "workers": workers})


def ratelimited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Tell the user (in their language) to slow down: HTTP 429."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": status_message(429)}, status=429)
    return render(request, "429.html", status=429)


@permission_required("core.view_auditlog", raise_exception=True)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """List audit entries, newest first, filtered by action or object."""
    action = request.GET.get("action", "").strip()[:80]
    object_type = request.GET.get("object_type", "").strip()[:80]
    paginator = Paginator(
        audit_log_list(action=action, object_type=object_type), per_page=50
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_log.html",
        {"page": page, "action": action, "object_type": object_type},
    )


def error_400(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Explain a refused form in the person's language (not Django's English page).

    The usual cause is a form left open for a long time or opened before
    signing in elsewhere: reloading the page gives a fresh token. The API
    answers JSON like its other errors.
    """
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": status_message(403)}, status=403)
    return render(request, "403_csrf.html", status=403)


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
