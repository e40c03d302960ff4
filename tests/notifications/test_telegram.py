"""The Bot API client against the fake over real HTTP, and linking a chat by a one-time code."""
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from mrm.integrations import telegram
from mrm.notifications.models import TelegramLink
from mrm.notifications.services import telegram_link_code
from mrm.notifications.tasks import telegram_poll_task
from tests.conftest import login

pytestmark = pytest.mark.django_db
SECRET = "webhook-secret-0123456789"


def test_send_message_speaks_the_bot_api(telegram_fake):
    message = telegram.send_message(chat_id=5, text="Привет")
    assert message["message_id"] == 1 and message["chat"]["id"] == 5
    request = telegram_fake.requests[-1]
    assert request["method"] == "sendMessage" and request["token"] == "123456:TEST-token"
    assert request["body"]["chat_id"] == 5 and request["body"]["text"] == "Привет"


def test_errors_are_transient_or_permanent(telegram_fake, settings):
    telegram_fake.fail(429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(telegram.TelegramTransientError) as transient:
        telegram.send_message(chat_id=5, text="x")
    assert transient.value.retry_after == 7
    telegram_fake.fail(400, "Bad Request: chat not found")
    with pytest.raises(telegram.TelegramError) as permanent:
        telegram.send_message(chat_id=5, text="x")
    assert not permanent.value.transient and "chat not found" in permanent.value.message
    settings.TELEGRAM_API_URL = "http://127.0.0.1:9"  # nothing listens: the request never left
    with pytest.raises(telegram.TelegramTransientError):
        telegram.send_message(chat_id=5, text="x")


def test_without_a_token_telegram_is_not_configured(alice_world, settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    assert not telegram.is_configured()
    with pytest.raises(telegram.TelegramError):
        telegram.send_message(chat_id=1, text="x")
    page = login(alice_world.am).get(reverse("notifications:preferences"))
    assert page.status_code == 200 and b'id="telegram-not-configured"' in page.content
    assert b'id="telegram-code"' not in page.content


def test_the_preferences_page_shows_a_code_and_the_bot_link(alice_world, telegram_fake):
    page = login(alice_world.am).get(reverse("notifications:preferences")).content.decode()
    with scope(agency=alice_world.agency):
        link = TelegramLink.objects.get(agency=alice_world.agency, user=alice_world.am.user)
    assert f"/start {link.code}" in page and f"https://t.me/mrm_test_bot?start={link.code}" in page


def _webhook(http, update, *, secret=SECRET, header=SECRET):
    return http.post(reverse("notifications:telegram_webhook", args=[secret]), json.dumps(update),
                     content_type="application/json", HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=header)


def test_start_code_over_the_webhook_links_the_chat_once(alice_world, telegram_fake, settings, client):
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    w = alice_world
    with scope(agency=w.agency):
        code = telegram_link_code(agency=w.agency, user=w.am.user).code
    update = telegram_fake.queue_update(chat_id=9001, text=f"/start {code}")
    assert _webhook(client, update, header="wrong").status_code == 403
    assert _webhook(client, update, secret="wrong-secret", header="wrong-secret").status_code == 404
    with scope(agency=w.agency):
        assert not TelegramLink.objects.get(agency=w.agency, user=w.am.user).is_linked
    assert _webhook(client, update).status_code == 200
    with scope(agency=w.agency):
        link = TelegramLink.objects.get(agency=w.agency, user=w.am.user)
    assert link.chat_id == 9001 and link.linked_at and link.code is None
    assert telegram_fake.sent[-1]["chat"]["id"] == 9001  # the bot answers "linked"
    # The code works once: someone else sending it later links nothing.
    assert _webhook(client, telegram_fake.queue_update(chat_id=666, text=f"/start {code}")).status_code == 200
    with scope(agency=w.agency):
        assert TelegramLink.objects.get(agency=w.agency, user=w.am.user).chat_id == 9001
    page = login(w.am).get(reverse("notifications:preferences")).content.decode()
    assert 'id="telegram-linked"' in page


def test_the_webhook_is_off_without_a_secret(client, settings, telegram_fake):
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    assert _webhook(client, {"update_id": 1}, secret="x", header="").status_code == 404


def test_polling_get_updates_links_a_chat_and_an_expired_code_does_not(alice_world, telegram_fake):
    w = alice_world
    with scope(agency=w.agency):
        code = telegram_link_code(agency=w.agency, user=w.am.user).code
        expired = telegram_link_code(agency=w.agency, user=w.am2.user)
        TelegramLink.objects.filter(pk=expired.pk).update(code_expires_at=timezone.now() - timedelta(minutes=1))
    telegram_fake.queue_update(chat_id=111, text=f"/start {code}")
    telegram_fake.queue_update(chat_id=222, text=f"/start {expired.code}")
    assert telegram_poll_task.apply().get() == 2
    assert telegram_poll_task.apply().get() == 0  # the offset moved past both updates
    assert telegram_fake.requests[-1]["body"]["offset"] == telegram_fake.updates[-1]["update_id"] + 1
    with scope(agency=w.agency):
        links = dict(TelegramLink.objects.filter(agency=w.agency).values_list("user__email", "chat_id"))
    assert links == {w.am.user.email: 111, w.am2.user.email: None}


def test_a_user_can_renew_the_code_and_unlink(alice_world, telegram_fake):
    w = alice_world
    http = login(w.am)
    http.get(reverse("notifications:preferences"))
    with scope(agency=w.agency):
        old = TelegramLink.objects.get(agency=w.agency, user=w.am.user).code
    assert http.post(reverse("notifications:telegram_code")).status_code == 302
    with scope(agency=w.agency):
        link = TelegramLink.objects.get(agency=w.agency, user=w.am.user)
        assert link.code != old
        TelegramLink.objects.filter(pk=link.pk).update(chat_id=5, linked_at=timezone.now())
    assert http.post(reverse("notifications:telegram_unlink")).status_code == 302
    with scope(agency=w.agency):
        assert TelegramLink.objects.get(pk=link.pk).chat_id is None
