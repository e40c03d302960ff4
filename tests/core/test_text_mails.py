"""Plain-text e-mails are rendered with autoescape off: HTML escaping in a text part only garbles names."""
from pathlib import Path

from django.template.loader import render_to_string

from mrm.integrations.mail import render_text

EMAILS = Path(__file__).resolve().parents[2] / "templates" / "emails"


def test_render_text_does_not_escape():
    text = render_text("emails/proposals/brief_received.txt", {
        "brief": {"contact_name": "O'Neil", "company_name": "Smith & Sons <UK>", "goals": "A & B"},
        "agency": {"name": "O'Neil & Co"}})
    assert "O'Neil" in text and "Smith & Sons <UK>" in text and "&amp;" not in text and "&#x27;" not in text


def test_password_reset_mail_is_not_escaped_although_django_renders_it():
    # Django's PasswordResetForm renders these with render_to_string, outside send_templated.
    body = render_to_string("emails/password_reset.txt", {"protocol": "https", "domain": "o'neil&co.example",
                                                          "uid": "MQ", "token": "abc-123"})
    assert "https://o'neil&co.example/" in body


def test_every_text_mail_template_turns_autoescape_off():
    templates = sorted(EMAILS.rglob("*.txt"))
    assert templates
    for path in templates:
        assert "{% autoescape off %}" in path.read_text(), f"{path.name} would HTML-escape a plain-text mail"
