"""URLs of the programs task pages (under /programs/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from hocvuso.programs import task_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("tasks/", task_views.tasks_home, name="tasks_home"),
    path("tasks/mine/", task_views.tasks_mine, name="tasks_mine"),
    path("tasks/item/<uuid:task_id>/", task_views.task_detail, name="task_detail"),
    path(
        "tasks/evidence/<uuid:update_id>/",
        task_views.task_evidence,
        name="task_evidence",
    ),
    path("tasks/<str:unit>/", task_views.tasks_page, name="tasks"),
    path("tasks/<str:unit>/new/", task_views.task_new, name="task_new"),
    path("inspections/<str:unit>/", task_views.inspections_page, name="inspections"),
    path("notifications/", task_views.notifications_page, name="notifications"),
    path(
        "notifications/<uuid:notification_id>/read/",
        task_views.notification_mark_read,
        name="notification_read",
    ),
]
