"""The bell, the inbox (constant queries, pagination, marking read) and preferences, for staff and clients."""
import pytest
from django.urls import reverse
from django_scopes import scope

from mrm.notifications.models import Notification, NotificationPreference
from tests.conftest import login
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def _notes(world, member, n, **kw):
    return [NotificationFactory(agency=world.agency, recipient=member.user, **kw) for _ in range(n)]


def test_the_bell_counts_only_my_unread_notifications(alice_world, bob_world, django_assert_max_num_queries):
    w = alice_world
    _notes(w, w.am, 3)
    _notes(w, w.am, 2, read_at="2026-01-01T00:00:00Z")
    _notes(w, w.am2, 4)
    NotificationFactory(agency=bob_world.agency, recipient=w.am.user)  # another agency's
    http = login(w.am)
    page = http.get(reverse("core:today"))
    assert b'id="notification-bell"' in page.content
    http.get(reverse("notifications:bell"))  # warm the session and membership caches
    with django_assert_max_num_queries(6):
        bell = http.get(reverse("notifications:bell"), HTTP_HX_REQUEST="true")
    assert b'data-count="3"' in bell.content


def test_the_inbox_has_constant_queries_and_pages(alice_world, django_assert_max_num_queries):
    w = alice_world
    http = login(w.am)
    _notes(w, w.am, 3)
    with django_assert_max_num_queries(20) as few:
        assert http.get(reverse("notifications:inbox")).status_code == 200
    _notes(w, w.am, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = http.get(reverse("notifications:inbox"))
    assert page.content.count(b'data-read="0"') == 25 and b'rel="next"' in page.content
    assert http.get(reverse("notifications:inbox") + "?page=2").content.count(b'data-read="0"') == 18


def test_opening_marks_read_and_goes_to_its_page(alice_world):
    w = alice_world
    note = NotificationFactory(agency=w.agency, recipient=w.am.user, url="/projects/")
    http = login(w.am)
    response = http.get(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/projects/"
    with scope(agency=w.agency):
        assert Notification.objects.get(pk=note.pk).read_at is not None
    evil = NotificationFactory(agency=w.agency, recipient=w.am.user, url="https://evil.example/")
    assert http.get(reverse("notifications:open", args=[evil.pk]))["Location"] == reverse("notifications:inbox")


def test_mark_one_and_all_read(alice_world):
    w = alice_world
    first, *rest = _notes(w, w.am, 3)
    http = login(w.am)
    row = http.post(reverse("notifications:read", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and b'data-read="1"' in row.content and row["HX-Trigger"] == "notifications-changed"
    assert http.post(reverse("notifications:read_all")).status_code == 302
    with scope(agency=w.agency):
        assert not Notification.objects.filter(agency=w.agency, recipient=w.am.user, read_at__isnull=True).exists()


def test_another_persons_or_agencys_notification_is_not_found(alice_world, bob_world):
    w = alice_world
    colleague = NotificationFactory(agency=w.agency, recipient=w.am2.user)
    foreign = NotificationFactory(agency=bob_world.agency, recipient=bob_world.am.user)
    http = login(w.am)
    for note in (colleague, foreign):
        assert http.get(reverse("notifications:open", args=[note.pk])).status_code == 404
        assert http.post(reverse("notifications:read", args=[note.pk])).status_code == 404
    with scope(agency=w.agency):
        assert Notification.objects.get(pk=colleague.pk).read_at is None


def test_empty_inbox(alice_world):
    page = login(alice_world.specialist).get(reverse("notifications:inbox"))
    assert b'id="notifications-empty"' in page.content


def test_a_client_contact_has_the_bell_and_the_inbox_in_the_portal(alice_world):
    w = alice_world
    _notes(w, w.client_contact, 2, kind="milestone.reached")
    http = login(w.client_contact)
    portal = http.get(reverse("portal:home"))
    assert b'id="notification-bell"' in portal.content
    inbox = http.get(reverse("notifications:inbox"))
    assert inbox.status_code == 200 and inbox.content.count(b'data-read="0"') == 2
    assert b"mrm-sidebar" not in inbox.content  # the portal layout, not the staff one
    prefs = http.get(reverse("notifications:preferences")).content.decode()
    assert 'id="pref-milestone_reached"' in prefs and 'id="pref-task_assigned"' not in prefs


def test_preferences_are_saved_per_kind_and_channel(alice_world):
    w = alice_world
    http = login(w.am)
    data = {"task_assigned__in_app": "on", "task_assigned__telegram": "on", "task_assigned__digest": "on",
            "comment_mention__email": "on"}
    assert http.post(reverse("notifications:preferences"), data).status_code == 302
    with scope(agency=w.agency):
        prefs = {p.kind: (p.in_app, p.email, p.telegram, p.digest)
                 for p in NotificationPreference.objects.filter(agency=w.agency, user=w.am.user)}
    assert prefs["task.assigned"] == (True, False, True, True)
    assert prefs["comment.mention"] == (False, True, False, False)
    page = http.get(reverse("notifications:preferences")).content.decode()
    assert 'name="task_assigned__digest" id="id_task_assigned__digest" aria-label' in page
