"""A real Celery worker delivers a notification over Telegram: the fake Bot API answers 500 once, the worker
retries with backoff and the message is sent exactly once (and a duplicate task message sends nothing)."""
import time

import pytest
from django_scopes import scope, scopes_disabled

from mrm.notifications.models import Channel, Delivery, NotificationPreference, TelegramLink
from mrm.notifications.services import notify
from mrm.notifications.tasks import delivery_send_task
from tests.fakes.telegram_server import TOKEN, FakeTelegramServer
from tests.jobs.test_celery_worker import _wait, workers  # noqa: F401 - fixture

pytestmark = [pytest.mark.celery_worker, pytest.mark.xdist_group("celery_worker")]


@pytest.fixture
def bot_api():
    server = FakeTelegramServer().start()
    yield server
    server.stop()


def test_a_transient_telegram_failure_is_retried_by_the_worker_and_sent_once(workers, alice_world,  # noqa: F811
                                                                             bot_api, settings):
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_API_URL = bot_api.base_url
    workers.start(queues=("mail",), TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=bot_api.base_url,
                  NOTIFICATION_RETRY_BASE_SECONDS=1)
    w = alice_world
    user = w.am.user
    bot_api.fail(500, "Internal Server Error")
    with scope(agency=w.agency):
        TelegramLink.objects.create(agency=w.agency, user=user, chat_id=4242)
        NotificationPreference.objects.create(agency=w.agency, user=user, kind="task.assigned", email=False)
        note = notify(agency=w.agency, recipient=user, kind="task.assigned", title="Баннер к пятнице", key="w-1")
        delivery = Delivery.objects.get(notification=note, channel=Channel.TELEGRAM)

    sent = _wait(lambda: Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENT).first(),
                 "the retried Telegram delivery", timeout=90)
    assert sent.attempts == 2 and sent.last_error == ""
    # The same task message once more (a broker redelivery): the row is sent, nothing goes out again.
    delivery_send_task.delay(agency_id=w.agency.pk, delivery_id=delivery.pk)
    time.sleep(3)
    assert [m["chat"]["id"] for m in bot_api.sent] == [4242]
    assert bot_api.sent[0]["text"].startswith("Баннер к пятнице")
    assert [r["method"] for r in bot_api.requests] == ["sendMessage", "sendMessage"]
    with scopes_disabled():
        assert Delivery.objects.get(pk=delivery.pk).attempts == 2
