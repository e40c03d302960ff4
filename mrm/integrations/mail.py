"""The one seam for outgoing e-mail: plain text plus HTML rendered from templates."""
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation


def render_text(template_name: str, context: dict) -> str:
    """Render a plain-text template with autoescape off: a text mail shows `O'Neil & Co`, not
    `O&#x27;Neil &amp; Co` (HTML escaping protects HTML only; the text part is never parsed as HTML)."""
    template = get_template(template_name)
    return template.template.render(Context(context, autoescape=False))


def send_templated(*, to: list[str], subject: str, template: str, context: dict, language: str | None = None,
                   reply_to: list[str] | None = None,
                   attachments: list[tuple[str, bytes, str]] | None = None) -> None:
    """Render `<template>.txt` (and `.html` if present) and send; raises on transport errors.

    `attachments`: (filename, content, MIME type) triples, e.g. an invoice PDF."""
    with translation.override(language or settings.LANGUAGE_CODE):
        ctx = {"site_url": settings.SITE_URL, **context}
        text = render_text(f"{template}.txt", ctx)
        try:
            html = render_to_string(f"{template}.html", ctx)
        except Exception:  # noqa: BLE001 - an HTML part is optional
            html = None
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, reply_to=reply_to,
                                     from_email=settings.DEFAULT_FROM_EMAIL)
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or ():
        message.attach(filename, content, mimetype)
    message.send()
