from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from hocvuso.community import views
from hocvuso.community.event_urls import urlpatterns as event_urlpatterns

app_name = "community"

urlpatterns: list[URLPattern | URLResolver] = [
    *event_urlpatterns,
    path("", views.home, name="home"),
    path("c/<int:code>/", views.commune_public, name="commune_public"),
    path("c/<int:code>/teams/", views.team_list, name="team_list"),
    path("c/<int:code>/teams/new/", views.team_create, name="team_create"),
    path("t/<uuid:team_id>/", views.team_detail, name="team_detail"),
    path("t/<uuid:team_id>/edit/", views.team_edit, name="team_edit"),
    path("t/<uuid:team_id>/archive/", views.team_archive, name="team_archive"),
    path("t/<uuid:team_id>/invite/", views.invitation_create, name="invitation_create"),
    path("i/<uuid:invitation_id>/", views.invitation_detail, name="invitation_detail"),
    path(
        "i/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join, name="join_code"),
    path("m/<uuid:member_id>/leave/", views.member_leave, name="member_leave"),
    path("m/<uuid:member_id>/card/", views.card_edit, name="card_edit"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("v/<uuid:visit_id>/done/", views.followup_mark_done, name="followup_done"),
]
