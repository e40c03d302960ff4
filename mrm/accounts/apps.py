from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mrm.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.auth.signals import user_login_failed

        from . import checks, schema  # noqa: F401 - registers the deploy checks and the OpenAPI security scheme
        from .forms import AdminLoginForm
        from .lockout import login_failed_receiver

        user_login_failed.connect(login_failed_receiver, dispatch_uid="mrm.accounts.login_ip_failures")
        admin.site.login_form = AdminLoginForm  # the admin's log-in under the same per-address pause
