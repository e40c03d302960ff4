"""Deliveries over a real SMTP server and a fake Bot API over real HTTP: sent once, retried on transient
failures, permanent failures recorded and shown."""
import pytest
from django.urls import reverse
from django_scopes import scope

from mrm.notifications.models import Channel, Delivery, NotificationPreference, TelegramLink
from mrm.notifications.services import notify
from mrm.notifications.tasks import delivery_send_task, digest_all_task
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _linked(world, user, chat_id=777):
    with scope(agency=world.agency):
        TelegramLink.objects.create(agency=world.agency, user=user, chat_id=chat_id)


def _deliveries(world, note):
    with scope(agency=world.agency):
        return {d.channel: d for d in Delivery.objects.filter(notification=note)}


def test_email_and_telegram_are_sent_once(alice_world, smtp_fake, telegram_fake, django_capture_on_commit_callbacks):
    w = alice_world
    user = w.am.user
    _linked(w, user)
    with scope(agency=w.agency), django_capture_on_commit_callbacks(execute=True):
        note = notify(agency=w.agency, recipient=user, kind="task.assigned", title="Задача: баннер",
                      body="Сделать к пятнице", url="/projects/", key="k")
    rows = _deliveries(w, note)
    assert rows[Channel.EMAIL].status == rows[Channel.TELEGRAM].status == Delivery.Status.SENT
    assert len(smtp_fake.messages) == 1
    message = smtp_fake.messages[0]
    assert message["To"] == user.email and message["Subject"] == "Задача: баннер"
    assert "Сделать к пятнице" in message.get_body(("plain",)).get_content()
    assert [m["chat"]["id"] for m in telegram_fake.sent] == [777]
    assert "Задача: баннер" in telegram_fake.sent[0]["text"] and "/projects/" in telegram_fake.sent[0]["text"]
    # The broker delivers the same message again: nothing is pending, nothing is sent.
    for delivery in rows.values():
        delivery_send_task.apply(kwargs={"agency_id": w.agency.pk, "delivery_id": delivery.pk})
    assert len(smtp_fake.messages) == 1 and len(telegram_fake.sent) == 1


def test_a_transient_telegram_failure_is_retried_and_sent_once(alice_world, telegram_fake, fast_retries,
                                                              django_capture_on_commit_callbacks):
    w = alice_world
    user = w.am.user
    _linked(w, user)
    telegram_fake.fail(500)
    telegram_fake.fail(429, "Too Many Requests: retry after 0", retry_after=0)
    with scope(agency=w.agency), django_capture_on_commit_callbacks(execute=True):
        NotificationPreference.objects.create(agency=w.agency, user=user, kind="task.assigned", email=False)
        note = notify(agency=w.agency, recipient=user, kind="task.assigned", title="T", key="k")
    row = _deliveries(w, note)[Channel.TELEGRAM]
    assert row.status == Delivery.Status.SENT and row.attempts == 3 and row.last_error == ""
    assert len(telegram_fake.sent) == 1
    assert [r["method"] for r in telegram_fake.requests] == ["sendMessage"] * 3


def test_a_transient_smtp_refusal_is_retried(alice_world, smtp_fake, fast_retries, django_capture_on_commit_callbacks):
    w = alice_world
    smtp_fake.fail(451)
    with scope(agency=w.agency), django_capture_on_commit_callbacks(execute=True):
        note = notify(agency=w.agency, recipient=w.am.user, kind="task.assigned", title="T", key="k")
    row = _deliveries(w, note)[Channel.EMAIL]
    assert row.status == Delivery.Status.SENT and row.attempts == 2
    assert len(smtp_fake.messages) == 1


def test_a_permanent_failure_is_recorded_and_shown(alice_world, telegram_fake, django_capture_on_commit_callbacks):
    w = alice_world
    user = w.am.user
    _linked(w, user)
    telegram_fake.fail(403, "Forbidden: bot was blocked by the user")
    with scope(agency=w.agency), django_capture_on_commit_callbacks(execute=True):
        note = notify(agency=w.agency, recipient=user, kind="task.assigned", title="T", key="k")
    row = _deliveries(w, note)[Channel.TELEGRAM]
    assert row.status == Delivery.Status.FAILED and row.attempts == 1
    assert "bot was blocked" in row.last_error
    assert len(telegram_fake.sent) == 0 and len(telegram_fake.requests) == 1
    http = login(w.am)
    inbox = http.get(reverse("notifications:inbox")).content.decode()
    assert 'data-channel="telegram"' in inbox and "bot was blocked" in inbox
    prefs = http.get(reverse("notifications:preferences")).content.decode()
    assert 'id="failed-deliveries"' in prefs and "bot was blocked" in prefs


def test_retries_give_up_after_the_limit(alice_world, telegram_fake, fast_retries, settings,
                                         django_capture_on_commit_callbacks):
    settings.NOTIFICATION_MAX_RETRIES = 2
    w = alice_world
    _linked(w, w.am.user)
    for _ in range(5):
        telegram_fake.fail(502)
    with scope(agency=w.agency), django_capture_on_commit_callbacks(execute=True):
        note = notify(agency=w.agency, recipient=w.am.user, kind="task.assigned", title="T", key="k")
    row = _deliveries(w, note)[Channel.TELEGRAM]
    assert row.status == Delivery.Status.FAILED and row.attempts == 3 and "502" in row.last_error
    assert telegram_fake.sent == []


def test_the_daily_digest_sends_one_message_per_channel(alice_world, smtp_fake, telegram_fake,
                                                        django_capture_on_commit_callbacks):
    w = alice_world
    user = w.am.user
    _linked(w, user)
    with scope(agency=w.agency), django_capture_on_commit_callbacks(execute=True):
        for kind in ("task.assigned", "comment.mention"):
            NotificationPreference.objects.create(agency=w.agency, user=user, kind=kind, digest=True)
        for n in range(3):
            notify(agency=w.agency, recipient=user, kind="task.assigned", title=f"Задача {n}", key=f"a{n}")
        notify(agency=w.agency, recipient=user, kind="comment.mention", title="Упоминание", key="m")
    assert smtp_fake.messages == [] and telegram_fake.sent == []
    digest_all_task.apply()
    digest_all_task.apply()  # the beat fires twice: nothing is left to send
    assert len(smtp_fake.messages) == 1 and len(telegram_fake.sent) == 1
    text = smtp_fake.messages[0].get_body(("plain",)).get_content()
    assert all(f"Задача {n}" in text for n in range(3)) and "Упоминание" in text
    with scope(agency=w.agency):
        assert set(Delivery.objects.filter(agency=w.agency).values_list("status", flat=True)) == {"sent"}


def test_a_row_another_worker_is_sending_is_left_alone_and_a_stuck_one_fails_without_resending(
        alice_world, telegram_fake, settings):
    from datetime import timedelta

    from django.utils import timezone

    from mrm.notifications.services import deliveries_claim
    from mrm.notifications.tasks import deliveries_fail_stuck_task

    w = alice_world
    _linked(w, w.am.user)
    with scope(agency=w.agency):
        note = notify(agency=w.agency, recipient=w.am.user, kind="comment.mention", title="T", key="k")
        row = Delivery.objects.get(notification=note, channel=Channel.TELEGRAM)
        Delivery.objects.filter(pk=row.pk).update(status=Delivery.Status.PENDING)
        assert deliveries_claim(agency_id=w.agency.pk, ids=[row.pk]) is not None  # a worker is sending it
        assert deliveries_claim(agency_id=w.agency.pk, ids=[row.pk]) is None  # nobody else can claim it
    sent_before = len(telegram_fake.sent)
    delivery_send_task.apply(kwargs={"agency_id": w.agency.pk, "delivery_id": row.pk})
    assert len(telegram_fake.sent) == sent_before
    deliveries_fail_stuck_task.apply()
    with scope(agency=w.agency):
        assert Delivery.objects.get(pk=row.pk).status == Delivery.Status.SENDING  # its lease still runs
        Delivery.objects.filter(pk=row.pk).update(
            claimed_at=timezone.now() - timedelta(seconds=settings.NOTIFICATION_SEND_LEASE_SECONDS + 1))
    deliveries_fail_stuck_task.apply()
    with scope(agency=w.agency):
        stuck = Delivery.objects.get(pk=row.pk)
    assert stuck.status == Delivery.Status.FAILED and "outcome is unknown" in stuck.last_error
    assert len(telegram_fake.sent) == sent_before
