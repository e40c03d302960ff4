"""Deploy checks (`manage.py check --deploy`) for what Django's own security checks do not know about."""
from django.conf import settings
from django.core.checks import Error, Tags, register

from mrm.settings.known_secrets import GENERATE_HINT, secret_key_problem


@register(Tags.security, deploy=True)
def secret_key_check(app_configs, **kwargs) -> list[Error]:
    problem = secret_key_problem(getattr(settings, "SECRET_KEY", ""))
    return [Error(problem, hint=GENERATE_HINT, id="mrm.E001")] if problem else []
