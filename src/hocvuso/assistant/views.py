"""The assistant's pages: the question box (form post or HTMX) and reports."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.assistant.answers import Answer
from hocvuso.assistant.errors import AskingTooOften, QuestionInvalid
from hocvuso.assistant.forms import AskForm, ReportForm
from hocvuso.assistant.limits import ask_limit
from hocvuso.assistant.selectors import conversation_for
from hocvuso.assistant.services import answer_report, question_ask
from hocvuso.core.errors import HocvusoError


def _lang() -> str:
    return (get_language() or "vi")[:2]


@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    """Show the assistant; answer the question sent (GET ?q= or POST)."""
    data = request.POST if request.method == "POST" else request.GET
    form = AskForm(data if "q" in data else None)
    answer: Answer | None = None
    error = ""
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                ask_limit(request)
                answer = question_ask(
                    actor=request.user, question=form.cleaned_data["q"], lang=""
                )
            except (QuestionInvalid, AskingTooOften) as exc:
                error, status = exc.message, exc.status
        else:
            error, status = str(QuestionInvalid().message), 400
    context = {
        "form": form,
        "answer": answer,
        "error": error,
        "question": form.data.get("q", "") if form.is_bound else "",
        "turns": list(conversation_for(request.user)[1 if answer else 0 :]),
        "lang": _lang(),
    }
    template = (
        "assistant/partials/answer.html"
        if getattr(request, "htmx", False)
        else "assistant/ask.html"
    )
    return render(request, template, context, status=status)


@require_POST
def report(request: HttpRequest) -> HttpResponse:
    """Record "this answer was wrong / not helpful" and thank the learner."""
    form = ReportForm(request.POST)
    if not form.is_valid():
        return render(
            request, "assistant/partials/reported.html", {"ok": False}, status=400
        )
    try:
        answer_report(
            actor=request.user,
            log_id=str(form.cleaned_data["log"]),
            reason=form.cleaned_data["reason"],
        )
    except HocvusoError as exc:
        return render(
            request,
            "assistant/partials/reported.html",
            {"ok": False, "error": exc.message},
            status=exc.status,
        )
    template = (
        "assistant/partials/reported.html"
        if getattr(request, "htmx", False)
        else "assistant/reported.html"
    )
    return render(request, template, {"ok": True})
