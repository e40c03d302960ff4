"""The staff API of NPS answers: read-only, the clients the caller may see, filters for a period."""
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from portal.models import NpsSurvey
from portal.services import nps as nps_services
from tests.conftest import login

from .nps_helpers import survey_for

pytestmark = pytest.mark.django_db


def _answer(world, score):
    survey = survey_for(world)
    with scope(agency=world.agency):
        response = nps_services.nps_answer(agency=world.agency, actor=None, survey=survey, score=score,
                                           comment="Комментарий", channel="email_link")
        NpsSurvey.objects.filter(pk=survey.pk).update(sent_at=timezone.now() - timedelta(days=200))
    return response


def test_list_and_read_answers_of_a_client(alice_world, bob_world, django_assert_max_num_queries):
    mine = _answer(alice_world, 9)
    _answer(alice_world, 4)
    theirs = _answer(bob_world, 10)
    http = login(alice_world.am)
    client = alice_world.client_contact.contact.client
    with django_assert_max_num_queries(12):
        listing = http.get("/api/v1/nps-responses/", {"client": str(client.pk)})
    assert listing.status_code == 200
    data = listing.json()
    assert data["count"] == 2 and {r["score"] for r in data["results"]} == {9, 4}
    assert {r["category"] for r in data["results"]} == {"promoter", "detractor"}
    detail = http.get(f"/api/v1/nps-responses/{mine.pk}/")
    assert detail.status_code == 200 and detail.json()["comment"] == "Комментарий"
    assert detail.json()["trigger"] == "manual" and detail.json()["contact"] == str(mine.contact_id)
    assert http.get(f"/api/v1/nps-responses/{theirs.pk}/").status_code == 404
    later = (timezone.now() + timedelta(days=1)).isoformat()
    assert http.get("/api/v1/nps-responses/", {"answered_after": later}).json()["count"] == 0
    assert http.get("/api/v1/nps-responses/", {"client": "nope"}).status_code == 400


def test_am_sees_only_their_clients_answers_and_others_are_refused(alice_world):
    answer = _answer(alice_world, 7)
    assert login(alice_world.am2).get(f"/api/v1/nps-responses/{answer.pk}/").status_code == 404
    assert login(alice_world.specialist).get("/api/v1/nps-responses/").status_code == 403
    assert login(alice_world.client_contact).get("/api/v1/nps-responses/").status_code == 403
    assert login(alice_world.am).post("/api/v1/nps-responses/", {"score": 10}).status_code == 405
