from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from mrm.celery import app
from mrm.integrations.mail import send_templated


@app.task(bind=True, acks_late=True)
def magic_link_send_task(self, *, email: str, language: str = "") -> None:
    """Look the address up and mail a log-in link if it is a client login that may have one (else nothing)."""
    from .magic_link import MAX_AGE, magic_link_allowed, magic_link_token
    from .models import User

    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not magic_link_allowed(user=user):
        return
    token = magic_link_token(user=user)
    send_templated(
        to=[user.email], language=user.language or language or None,
        subject=_("Your login link"), template="emails/magic_link",
        context={"user": user, "minutes": MAX_AGE // 60,
                 "url": settings.SITE_URL + reverse("accounts:magic_link_login", args=[token])},
    )
