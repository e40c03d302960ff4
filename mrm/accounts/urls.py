from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify_view, name="login_verify"),
    path("login/link/", views.magic_link_request_view, name="magic_link"),  # access: client log-in links
    path("login/link/<str:token>/", views.magic_link_login_view, name="magic_link_login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup_view, name="signup"),
    path("invite/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path("no-agency/", views.no_agency_view, name="no_agency"),
    path("switch/", views.agency_switch_view, name="agency_switch"),
    path("language/", views.language_set_view, name="language_set"),
    path("two-factor/", views.two_factor_view, name="two_factor"),
    path("password/reset/", auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        email_template_name="emails/password_reset.txt",
        subject_template_name="emails/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done")), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete")), name="password_reset_confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password_reset_complete"),
    path("password/change/", views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html",
        success_url=reverse_lazy("accounts:profile")), name="password_change"),
    path("me/", views.profile_view, name="profile"),
    path("me/api-keys/", views.api_token_create_view, name="api_token_create"),
    path("me/api-keys/<uuid:token_id>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]
