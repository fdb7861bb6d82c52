"""Reads of tasks, inspections and notifications, scoped by unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.programs.access import UnitRef, unit_allowed
from hocvuso.programs.models import (
    Inspection,
    Notification,
    ProgramTask,
    TaskStatus,
    UnitLevel,
)
from hocvuso.programs.task_services import task_can_update

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def unit_q(unit: UnitRef) -> Q:
    """Return the filter of rows that belong to ``unit`` or a unit inside it."""
    if unit.level == UnitLevel.COMMUNE:
        return Q(commune_id=unit.commune_code)
    if unit.level == UnitLevel.PROVINCE:
        return Q(province_id=unit.province_code)
    return Q()


@dataclass(frozen=True)
class TaskRow:
    task: ProgramTask
    overdue: bool
    due_soon: bool


def task_rows(tasks: QuerySet[ProgramTask], *, today: date) -> list[TaskRow]:
    horizon = today + timedelta(days=settings.HOCVUSO_TASK_REMIND_DAYS)
    return [
        TaskRow(
            task=t,
            overdue=t.is_overdue(today),
            due_soon=t.is_open and today <= t.due_on <= horizon,
        )
        for t in tasks
    ]


def _tasks() -> QuerySet[ProgramTask]:
    return ProgramTask.objects.select_related(
        "assignee", "responsible", "commune", "province", "target", "inspection"
    )


def tasks_for_unit(unit: UnitRef, *, status: str = "") -> QuerySet[ProgramTask]:
    qs = _tasks().filter(unit_q(unit))
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("due_on", "created_at")


def tasks_for_person(user: AbstractBaseUser | AnonymousUser) -> QuerySet[ProgramTask]:
    return (
        _tasks()
        .filter(Q(assignee_id=user.pk) | Q(responsible_id=user.pk))
        .order_by("due_on", "created_at")
    )


def task_get_for_user(
    *, user: AbstractBaseUser | AnonymousUser, task_id: UUID | str
) -> ProgramTask:
    """Return the task if the person may see it (404 unknown, 403 not theirs)."""
    task = _tasks().filter(pk=task_id).first()
    if task is None:
        raise Http404(_("No such task."))
    if not task_can_update(user, task):
        raise PermissionDenied(_("You do not steer this unit."))
    return task


def inspections_for_unit(unit: UnitRef) -> QuerySet[Inspection]:
    return (
        Inspection.objects.filter(unit_q(unit))
        .select_related("inspector", "commune", "province")
        .prefetch_related("follow_ups")
    )


def inspection_get_for_user(
    *, user: AbstractBaseUser | AnonymousUser, inspection_id: UUID | str
) -> Inspection | None:
    from hocvuso.programs.task_services import task_unit

    inspection = Inspection.objects.filter(pk=inspection_id).first()
    if inspection is None or not unit_allowed(user, task_unit(inspection)):
        return None
    return inspection


def notifications_for(
    user: AbstractBaseUser | AnonymousUser,
) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk).select_related("task")


def people_for_unit(unit: UnitRef) -> list[User]:
    """Return the officers and helpers of the unit (who a task can go to)."""
    roles = (Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.COMMUNITY_HELPER)
    qs = RoleAssignment.objects.filter(role__in=roles)
    if unit.level == UnitLevel.COMMUNE:
        qs = qs.filter(Q(commune_id=unit.commune_code))
    elif unit.level == UnitLevel.PROVINCE:
        qs = qs.filter(
            Q(province_id=unit.province_code)
            | Q(commune__province_id=unit.province_code)
        )
    ids = qs.values("user_id")
    return list(
        User.objects.filter(pk__in=ids, is_active=True).order_by("full_name")[:500]
    )
