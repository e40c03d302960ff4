"""Sending one message (a notification or a digest) by e-mail or Telegram, in the recipient's language."""
import smtplib

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from mrm.integrations import mail, telegram

from .models import Channel, TelegramLink


class SendError(Exception):
    """Retrying will not help (bad address, bot blocked, chat unlinked, unknown outcome)."""


class TransientSendError(SendError):
    """Worth retrying later (the server was unreachable, 4xx SMTP, Telegram 429/5xx)."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _absolute(url: str) -> str:
    if not url:
        return ""
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL.rstrip("/") + url


def _text(notifications, *, digest: bool) -> tuple[str, str]:
    """(subject, text) in the active language."""
    if digest:
        subject = _("MRM: %(count)s new notifications") % {"count": len(notifications)}
    else:
        subject = notifications[0].title
    lines = []
    for note in notifications:
        lines.append(note.title)
        if note.body:
            lines.append(note.body)
        if note.url:
            lines.append(_absolute(note.url))
        lines.append("")
    return subject, "\n".join(lines).strip()


def send(*, channel: str, agency_id: int, user, notifications: list, digest: bool = False) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject, text = _text(notifications, digest=digest)
        if channel == Channel.EMAIL:
            _send_email(user=user, subject=subject, notifications=notifications, digest=digest)
        elif channel == Channel.TELEGRAM:
            _send_telegram(agency_id=agency_id, user=user, text=text if not digest else f"{subject}\n\n{text}")
        else:
            raise SendError(f"unknown channel {channel}")


def _send_email(*, user, subject: str, notifications: list, digest: bool) -> None:
    if not user.email:
        raise SendError("The recipient has no e-mail address.")
    context = {"notifications": [{"title": n.title, "body": n.body, "url": _absolute(n.url)} for n in notifications],
               "digest": digest, "user": user}
    try:
        mail.send_templated(to=[user.email], subject=subject.replace("\n", " ")[:200],
                            template="emails/notifications/notification", context=context, language=user.language)
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise TransientSendError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
        raise SendError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"SMTP refused the recipient: {exc.recipients!r}") from exc
    except (TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, OSError) as exc:
        raise TransientSendError(f"SMTP unreachable: {exc.__class__.__name__}: {exc}") from exc


def _send_telegram(*, agency_id: int, user, text: str) -> None:
    link = TelegramLink.objects.filter(agency_id=agency_id, user=user, chat_id__isnull=False).first()
    if link is None:
        raise SendError("Telegram is not linked any more.")
    try:
        telegram.send_message(chat_id=link.chat_id, text=text)
    except telegram.TelegramTransientError as exc:
        raise TransientSendError(exc.message, retry_after=exc.retry_after) from exc
    except telegram.TelegramError as exc:
        raise SendError(exc.message) from exc
