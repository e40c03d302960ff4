"""REST: one's notifications and preferences; client contacts never reach the staff API."""
import pytest
from django_scopes import scope

from mrm.notifications.models import Notification
from tests.conftest import login
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_list_read_and_read_all(alice_world, bob_world):
    w = alice_world
    mine = [NotificationFactory(agency=w.agency, recipient=w.am.user) for _ in range(3)]
    NotificationFactory(agency=w.agency, recipient=w.am2.user)
    NotificationFactory(agency=bob_world.agency, recipient=w.am.user)
    http = login(w.am)
    listed = http.get("/api/v1/notifications/").json()
    assert listed["count"] == 3 and {r["id"] for r in listed["results"]} == {str(n.pk) for n in mine}
    read = http.post(f"/api/v1/notifications/{mine[0].pk}/read/")
    assert read.status_code == 200 and read.json()["is_read"] is True
    assert http.get("/api/v1/notifications/?unread=true").json()["count"] == 2
    assert http.post("/api/v1/notifications/read-all/").json() == {"updated": 2}
    with scope(agency=w.agency):
        assert not Notification.objects.filter(agency=w.agency, recipient=w.am.user, read_at__isnull=True).exists()


def test_someone_elses_notification_is_404(alice_world):
    w = alice_world
    other = NotificationFactory(agency=w.agency, recipient=w.am2.user)
    http = login(w.am)
    assert http.get(f"/api/v1/notifications/{other.pk}/").status_code == 404
    assert http.post(f"/api/v1/notifications/{other.pk}/read/").status_code == 404


def test_preferences_list_and_patch(alice_world):
    http = login(alice_world.am)
    rows = {r["kind"]: r for r in http.get("/api/v1/notification-preferences/").json()}
    assert rows["task.assigned"]["email"] is True and rows["task.assigned"]["digest"] is False
    changed = http.patch("/api/v1/notification-preferences/task.assigned/", {"email": False, "digest": True},
                         content_type="application/json")
    assert changed.status_code == 200 and changed.json()["email"] is False and changed.json()["digest"] is True
    assert changed.json()["in_app"] is True
    assert http.patch("/api/v1/notification-preferences/no.such/", {"email": False},
                      content_type="application/json").status_code == 404


def test_client_contacts_do_not_use_the_staff_api(alice_world):
    assert login(alice_world.client_contact).get("/api/v1/notifications/").status_code == 403
