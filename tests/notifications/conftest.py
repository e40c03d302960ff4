import pytest

from tests.fakes.smtp_server import FakeSMTPServer
from tests.fakes.telegram_server import TOKEN, FakeTelegramServer


@pytest.fixture
def telegram_fake(settings):
    server = FakeTelegramServer().start()
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_API_URL = server.base_url
    settings.TELEGRAM_BOT_USERNAME = "mrm_test_bot"
    settings.TELEGRAM_TIMEOUT_SECONDS = 5.0
    yield server
    server.stop()


@pytest.fixture
def smtp_fake(settings, monkeypatch):
    """Django's real SMTP backend, talking to a local SMTP server."""
    from django.core.mail.utils import DNS_NAME

    monkeypatch.setattr(DNS_NAME, "_fqdn", "localhost", raising=False)  # no reverse-DNS lookup for EHLO
    server = FakeSMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def fast_retries(settings):
    """Retries without waiting, and run the way Celery runs eager retries: `apply()` catches the Retry and
    applies the retry at once (it does that only when eager exceptions are not propagated)."""
    from mrm.celery import app

    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0
    old = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = old
