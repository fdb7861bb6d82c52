"""Task, inspection and notification pages (thin: forms, one service, render)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.programs.access import (
    UnitRef,
    unit_for_request,
    unit_name,
    units_for_user,
)
from hocvuso.programs.figures import indicators_active
from hocvuso.programs.models import EvidenceKind, TaskStatus, TaskUpdate
from hocvuso.programs.reports import indicator_name
from hocvuso.programs.task_selectors import (
    inspection_get_for_user,
    inspections_for_unit,
    notifications_for,
    people_for_unit,
    task_get_for_user,
    task_rows,
    tasks_for_person,
    tasks_for_unit,
)
from hocvuso.programs.task_services import (
    InspectionIn,
    TaskIn,
    TaskInvalid,
    TaskNotAllowed,
    inspection_create,
    notification_read,
    task_can_update,
    task_create,
    task_unit,
    task_update_add,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _today() -> date:
    return timezone.localdate()


class TaskForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("What must be done"), max_length=300)
    assignee = forms.ChoiceField(label=gettext_lazy("Who does it"))
    responsible = forms.ChoiceField(label=gettext_lazy("Responsible"), required=False)
    authority = forms.CharField(
        label=gettext_lazy("Who decides"),
        max_length=200,
        help_text=gettext_lazy(
            "For example: the chair of the commune People's Committee."
        ),
    )
    starts_on = forms.DateField(label=gettext_lazy("Start"), widget=DATE)
    due_on = forms.DateField(label=gettext_lazy("Deadline"), widget=DATE)
    expected_result = forms.CharField(
        label=gettext_lazy("Expected result"), widget=forms.Textarea(attrs={"rows": 3})
    )
    indicator = forms.ChoiceField(
        label=gettext_lazy("Indicator it serves"), required=False
    )
    description = forms.CharField(
        label=gettext_lazy("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, unit: UnitRef, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(str(u.pk), str(u)) for u in people_for_unit(unit)]
        self.fields["assignee"].choices = people  # type: ignore[attr-defined]
        self.fields["responsible"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *people,
        ]
        self.fields["indicator"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((i.code, indicator_name(i)) for i in indicators_active()),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, due = data.get("starts_on"), data.get("due_on")
        if start and due and due < start:
            self.add_error("due_on", _("The deadline cannot be before the start."))
        return data


class UpdateForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=TaskStatus.choices)
    note = forms.CharField(
        label=gettext_lazy("What was done"), widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.FileField(
        label=gettext_lazy("Evidence: a photo or a document"), required=False
    )


class InspectionForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("What was inspected"), max_length=300)
    inspected_on = forms.DateField(label=gettext_lazy("Inspected on"), widget=DATE)
    findings = forms.CharField(
        label=gettext_lazy("Findings"), widget=forms.Textarea(attrs={"rows": 4})
    )
    conclusion = forms.CharField(
        label=gettext_lazy("Conclusion and requests"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@login_required
def tasks_home(request: HttpRequest) -> HttpResponse:
    units = units_for_user(request.user)
    if not units:
        return redirect("programs:tasks_mine")
    return redirect("programs:tasks", unit=units[0].slug)


@login_required
def tasks_page(request: HttpRequest, unit: str) -> HttpResponse:
    """List a unit's tasks (and its communes'), overdue ones highlighted."""
    ref = unit_for_request(request, unit)
    status = request.GET.get("status", "")
    return render(
        request,
        "programs/tasks.html",
        {
            "unit": ref,
            "unit_name": unit_name(ref),
            "rows": task_rows(tasks_for_unit(ref, status=status), today=_today()),
            "status": status,
            "statuses": TaskStatus.choices,
            "mine": False,
        },
    )


@login_required
def tasks_mine(request: HttpRequest) -> HttpResponse:
    """List the tasks the person does or is responsible for."""
    return render(
        request,
        "programs/tasks.html",
        {
            "rows": task_rows(tasks_for_person(request.user), today=_today()),
            "mine": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest, unit: str) -> HttpResponse:
    ref = unit_for_request(request, unit)
    inspection_id = request.GET.get("inspection") or request.POST.get("inspection")
    inspection = (
        inspection_get_for_user(user=request.user, inspection_id=inspection_id)
        if inspection_id
        else None
    )
    form = TaskForm(request.POST or None, unit=ref)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                task = task_create(
                    actor=request.user,
                    unit=ref,
                    data=TaskIn(
                        title=d["title"],
                        assignee_id=UUID(d["assignee"]),
                        responsible_id=UUID(d["responsible"])
                        if d["responsible"]
                        else None,
                        authority=d["authority"],
                        starts_on=d["starts_on"],
                        due_on=d["due_on"],
                        expected_result=d["expected_result"],
                        description=d["description"],
                        indicator=d["indicator"],
                        inspection_id=str(inspection.pk) if inspection else None,
                    ),
                )
            except TaskInvalid as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The task was created."))
                return redirect("programs:task_detail", task_id=task.pk)
        status = 400
    return render(
        request,
        "programs/task_form.html",
        {
            "unit": ref,
            "unit_name": unit_name(ref),
            "form": form,
            "inspection": inspection,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, task_id: UUID) -> HttpResponse:
    """Show a task and its updates; POST adds an update with evidence."""
    task = task_get_for_user(user=request.user, task_id=task_id)
    form = UpdateForm(
        request.POST or None, request.FILES or None, initial={"status": task.status}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                task_update_add(
                    actor=request.user,
                    task_id=str(task.pk),
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    evidence=form.cleaned_data["evidence"],
                )
            except TaskInvalid as exc:
                form.add_error("evidence", exc.message)
            except TaskNotAllowed as exc:
                raise PermissionDenied(exc.message) from exc
            else:
                messages.success(request, _("The update was recorded."))
                return redirect("programs:task_detail", task_id=task.pk)
        status = 400
    unit = task_unit(task)
    return render(
        request,
        "programs/task_detail.html",
        {
            "task": task,
            "unit": unit,
            "unit_name": unit_name(unit),
            "overdue": task.is_overdue(_today()),
            "updates": list(task.updates.select_related("author")),
            "form": form,
            "can_update": task_can_update(request.user, task),
            "indicator_name": next(
                (
                    indicator_name(i)
                    for i in indicators_active()
                    if i.code == task.indicator
                ),
                task.indicator,
            ),
        },
        status=status,
    )


@login_required
def task_evidence(request: HttpRequest, update_id: UUID) -> FileResponse:
    """Send an update's evidence file to people who may see its task."""
    update = TaskUpdate.objects.filter(pk=update_id).first()
    if update is None or not update.evidence:
        raise Http404(_("No such task."))
    task_get_for_user(user=request.user, task_id=update.task_id)
    photo = update.evidence_kind == EvidenceKind.PHOTO
    return FileResponse(
        update.evidence.open("rb"),
        as_attachment=not photo,
        filename=update.evidence_name or "minh-chung",
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspections_page(request: HttpRequest, unit: str) -> HttpResponse:
    """List a unit's inspections; POST records one."""
    ref = unit_for_request(request, unit)
    form = InspectionForm(request.POST or None, initial={"inspected_on": _today()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                inspection_create(
                    actor=request.user, unit=ref, data=InspectionIn(**form.cleaned_data)
                )
            except TaskInvalid as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The inspection was recorded."))
                return redirect("programs:inspections", unit=ref.slug)
        status = 400
    return render(
        request,
        "programs/inspections.html",
        {
            "unit": ref,
            "unit_name": unit_name(ref),
            "inspections": list(inspections_for_unit(ref)),
            "form": form,
        },
        status=status,
    )


@login_required
def notifications_page(request: HttpRequest) -> HttpResponse:
    """List the person's reminders, newest first."""
    return render(
        request,
        "programs/notifications.html",
        {"notifications": list(notifications_for(request.user)[:100])},
    )


@login_required
@require_POST
def notification_mark_read(request: HttpRequest, notification_id: UUID) -> HttpResponse:
    notification_read(
        actor=request.user, notification_id=str(notification_id), now=timezone.now()
    )
    return redirect("programs:notifications")
