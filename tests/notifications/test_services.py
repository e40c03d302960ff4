"""notify() and the projects.events listener: idempotent keys, the recipient's language, preferences, digest."""
import pytest
from django.utils import translation
from django_scopes import scope

from mrm.notifications.listeners import on_project_event
from mrm.notifications.models import Channel, Delivery, Notification, NotificationPreference, TelegramLink
from mrm.notifications.services import notify
from projects import events
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _event(world, *, kind="milestone.reached", recipients, actor=None, context=None, object_id="m-1"):
    project = ProjectFactory(agency=world.agency)
    return events.Event(kind=kind, agency_id=world.agency.pk, project_id=project.pk, object_id=object_id,
                        actor_id=actor, recipient_ids=recipients, url="/portal/",
                        context=context or {"milestone": "Запуск кампании"}), project


def test_notify_is_idempotent_on_its_key(alice_world):
    w = alice_world
    with scope(agency=w.agency):
        first = notify(agency=w.agency, recipient=w.am.user, kind="task.assigned", title="T", body="", url="",
                       key="k-1")
        again = notify(agency=w.agency, recipient=w.am.user, kind="task.assigned", title="T2", body="", url="",
                       key="k-1")
        assert first is not None and again.pk == first.pk
        assert Notification.objects.filter(agency=w.agency, recipient=w.am.user).count() == 1
        assert Delivery.objects.filter(notification=first, channel=Channel.EMAIL).count() == 1


def test_notify_skips_people_who_are_not_active_members(alice_world, bob_world):
    with scope(agency=alice_world.agency):
        assert notify(agency=alice_world.agency, recipient=bob_world.am.user, kind="task.assigned", title="T",
                      key="k") is None
        assert not Notification.objects.filter(agency=alice_world.agency).exists()


def test_a_milestone_reaches_the_client_in_their_language(alice_world, django_capture_on_commit_callbacks, mailoutbox):
    w = alice_world
    w.client_contact.user.language = "en"
    w.client_contact.user.save(update_fields=["language"])
    event, project = _event(w, recipients=[w.client_contact.user.pk, w.am.user.pk], actor=w.am.user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(event)
    with scope(agency=w.agency):
        notes = list(Notification.objects.filter(agency=w.agency))
    assert len(notes) == 1, "the actor is not told what they did themselves"
    note = notes[0]
    assert note.recipient == w.client_contact.user and note.kind == "milestone.reached"
    with translation.override("en"):
        assert note.title == "Milestone reached: Запуск кампании"
    assert project.name in note.body
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [w.client_contact.user.email]
    assert mailoutbox[0].subject == note.title  # rendered in English, the recipient's language


def test_the_same_event_twice_notifies_once(alice_world, django_capture_on_commit_callbacks, mailoutbox):
    w = alice_world
    event, _ = _event(w, kind="approval.needed", recipients=[w.client_contact.user.pk], context={"task": "Макет"})
    with django_capture_on_commit_callbacks(execute=True):
        on_project_event(event)
        on_project_event(event)
    with scope(agency=w.agency):
        assert Notification.objects.filter(agency=w.agency, kind="approval.needed").count() == 1
    assert len(mailoutbox) == 1


def test_unknown_event_kinds_are_ignored(alice_world):
    w = alice_world
    event, _ = _event(w, kind="something.else", recipients=[w.am.user.pk])
    on_project_event(event)
    with scope(agency=w.agency):
        assert not Notification.objects.filter(agency=w.agency).exists()


def test_every_mapped_kind_renders_a_title(alice_world):
    from mrm.notifications.kinds import KINDS

    w = alice_world
    for n, kind in enumerate(KINDS):
        event, _ = _event(w, kind=kind, recipients=[w.am.user.pk], object_id=str(n),
                          context={"task": "Баннер", "title": "Доп. работы", "milestone": "Запуск", "kind": "budget",
                                   "reason": "80%", "old_status": "todo", "new_status": "done", "total": "10 000"})
        on_project_event(event)
    with scope(agency=w.agency):
        titles = dict(Notification.objects.filter(agency=w.agency).values_list("kind", "title"))
    assert set(titles) == set(KINDS)
    assert all(title.strip() and ("Баннер" in title or "Доп. работы" in title or "Запуск" in title
                                  or "budget" in title) for title in titles.values()), titles


def test_preferences_turn_channels_off_and_digest_defers(alice_world, mailoutbox, telegram_fake):
    w = alice_world
    user = w.am.user
    with scope(agency=w.agency):
        TelegramLink.objects.create(agency=w.agency, user=user, chat_id=42)
        NotificationPreference.objects.create(agency=w.agency, user=user, kind="task.assigned", in_app=True,
                                              email=False, telegram=True, digest=True)
        NotificationPreference.objects.create(agency=w.agency, user=user, kind="comment.mention", in_app=False,
                                              email=False, telegram=False)
        note = notify(agency=w.agency, recipient=user, kind="task.assigned", title="T", key="a")
        assert notify(agency=w.agency, recipient=user, kind="comment.mention", title="M", key="b") is None
        deliveries = list(Delivery.objects.filter(notification=note))
    assert [(d.channel, d.in_digest, d.status) for d in deliveries] == [(Channel.TELEGRAM, True, "pending")]
    assert mailoutbox == [] and telegram_fake.sent == []


def test_choice_values_in_events_read_as_labels_in_the_recipients_language(alice_world):
    w = alice_world
    user = w.am.user
    user.language = "en"
    user.save(update_fields=["language"])
    for kind, context in (("task.status_changed", {"task": "Баннер", "old_status": "todo", "new_status": "review"}),
                          ("alert.raised", {"kind": "budget_burn", "reason": "80%"}),
                          ("change_request.decided", {"title": "Доп. работы", "decision": "approved"})):
        event, _ = _event(w, kind=kind, recipients=[user.pk], object_id=kind, context=context)
        on_project_event(event)
    with scope(agency=w.agency):
        rows = {k: (t, b) for k, t, b in Notification.objects.filter(agency=w.agency).values_list("kind", "title", "body")}
    assert rows["task.status_changed"][1] == "To do → On review"
    assert "budget_burn" not in rows["alert.raised"][0]
    assert rows["change_request.decided"][1] == "Approved"
