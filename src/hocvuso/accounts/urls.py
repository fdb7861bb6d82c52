from django.urls import path

from hocvuso.accounts import (
    assisted_views,
    oidc_views,
    password_reset_views,
    token_views,
    views,
)

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", oidc_views.signout, name="logout"),
    path("oidc/start/", oidc_views.oidc_start, name="oidc_start"),
    path("oidc/callback/", oidc_views.oidc_callback, name="oidc_callback"),
    path("oidc/complete/", oidc_views.oidc_complete, name="oidc_complete"),
    path("oidc/existing/", oidc_views.oidc_link_existing, name="oidc_link_existing"),
    path("oidc/link/", oidc_views.oidc_link_start, name="oidc_link"),
    path("oidc/unlink/", oidc_views.oidc_unlink, name="oidc_unlink"),
    path("oidc/signed-out/", oidc_views.oidc_logged_out, name="oidc_logged_out"),
    path("password/forgot/", password_reset_views.forgot, name="password_forgot"),
    path("password/reset/", password_reset_views.reset, name="password_reset"),
    path(
        "password/in-person/",
        password_reset_views.in_person,
        name="password_in_person",
    ),
    path("register/", views.register, name="register"),
    path("assist/", views.assist_register, name="assist_register"),
    path("communes/", views.commune_options, name="commune_options"),
    path("me/", views.profile, name="profile"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("tokens/", token_views.api_tokens, name="api_tokens"),
    path(
        "tokens/<str:token_id>/revoke/",
        token_views.api_token_revoke_view,
        name="api_token_revoke",
    ),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data.json", views.my_data_download, name="my_data_download"),
    path("privacy/", views.privacy, name="privacy"),
    path("assisted/", assisted_views.assisted_list, name="assisted_list"),
    path(
        "assisted/<uuid:user_id>/",
        assisted_views.assisted_detail,
        name="assisted_detail",
    ),
    path(
        "assisted/<uuid:user_id>/guide/",
        assisted_views.guide_begin,
        name="guide_start",
    ),
    path(
        "assisted/<uuid:user_id>/card/",
        assisted_views.card_issue,
        name="card_issue",
    ),
    path(
        "assisted/<uuid:user_id>/grant/",
        assisted_views.grant_add,
        name="grant_add",
    ),
    path(
        "guidance/<uuid:grant_id>/end/",
        assisted_views.grant_end,
        name="grant_end",
    ),
    path("guide/end/", assisted_views.guide_finish, name="guide_end"),
    path("claim/", assisted_views.claim, name="claim"),
    path("claim/account/", assisted_views.claim_account, name="claim_account"),
]
