from django.contrib.auth.backends import ModelBackend

from .emails import email_normalize


class EmailBackend(ModelBackend):
    """Log in by e-mail, in any case and with stray spaces."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        return super().authenticate(request, username=email_normalize(username or kwargs.get("email")),
                                    password=password)
