"""NPS pages: the client's surveys in the portal (own company and own contact only), the e-mailed link (no login,
single-use, expiring), and the staff client page block, "send a survey now", the client's schedule, the rules."""
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from mrm.tenancy.models import Role
from portal.models import NpsClientPlan, NpsResponse, NpsSettings, NpsSurvey
from tests import factories as f
from tests.conftest import client_page, login

from .nps_helpers import survey_for, token_for

pytestmark = pytest.mark.django_db


def _second_login(world):
    """Another client login of the same agency, at another company."""
    with scope(agency=world.agency):
        person = f.ContactFactory(client=f.ClientFactory(agency=world.agency), email="other@co.test")
    return f.MembershipFactory(agency=world.agency, role=Role.CLIENT, contact=person,
                               user=f.UserFactory(email="other@co.test"))


# Portal ----------------------------------------------------------------------------------------------------

def test_client_answers_in_the_portal(alice_world):
    survey = survey_for(alice_world)
    http = login(alice_world.client_contact)
    listing = http.get(reverse("portal:nps"))
    assert listing.status_code == 200
    assert reverse("portal:nps_answer", args=[survey.pk]) in listing.content.decode()
    page = http.get(reverse("portal:nps_answer", args=[survey.pk]))
    assert page.status_code == 200 and 'id="nps-form"' in page.content.decode()
    response = http.post(reverse("portal:nps_answer", args=[survey.pk]), {"score": "8", "comment": "Хорошо"})
    assert response.status_code == 302 and response.url == reverse("portal:nps")
    with scope(agency=alice_world.agency):
        answer = NpsResponse.objects.get(agency=alice_world.agency)
    assert (answer.score, answer.comment, answer.channel) == (8, "Хорошо", "portal")
    # Answered: off the open list, and the page says so (a second post changes nothing).
    body = http.get(reverse("portal:nps")).content.decode()
    assert reverse("portal:nps_answer", args=[survey.pk]) not in body and "Хорошо" in body
    again = http.post(reverse("portal:nps_answer", args=[survey.pk]), {"score": "1"})
    assert again.status_code == 422 and 'id="nps-answered"' in again.content.decode()
    with scope(agency=alice_world.agency):
        assert NpsResponse.objects.filter(agency=alice_world.agency).count() == 1


def test_invalid_portal_answer_shows_the_error_in_place(alice_world):
    survey = survey_for(alice_world)
    response = login(alice_world.client_contact).post(reverse("portal:nps_answer", args=[survey.pk]),
                                                      {"score": "11", "comment": "x"})
    assert response.status_code == 422 and 'id="nps-form"' in response.content.decode()
    with scope(agency=alice_world.agency):
        assert not NpsResponse.objects.filter(agency=alice_world.agency).exists()


def test_another_company_and_another_agency_answer_404(alice_world, bob_world):
    survey = survey_for(alice_world)
    for member in (_second_login(alice_world), bob_world.client_contact):
        http = login(member)
        assert http.get(reverse("portal:nps_answer", args=[survey.pk])).status_code == 404
        assert http.post(reverse("portal:nps_answer", args=[survey.pk]), {"score": "0"}).status_code == 404
        assert reverse("portal:nps_answer", args=[survey.pk]) not in http.get(reverse("portal:nps")).content.decode()
    with scope(agency=alice_world.agency):
        assert not NpsResponse.objects.filter(agency=alice_world.agency).exists()


def test_another_contact_of_the_same_company_cannot_answer_my_survey(alice_world):
    survey = survey_for(alice_world)
    with scope(agency=alice_world.agency):
        colleague = f.ContactFactory(client=alice_world.client_contact.contact.client)
    member = f.MembershipFactory(agency=alice_world.agency, role=Role.CLIENT, contact=colleague,
                                 user=f.UserFactory(email="colleague@co.test"))
    assert login(member).get(reverse("portal:nps_answer", args=[survey.pk])).status_code == 404


def test_staff_cannot_use_the_portal_pages(alice_world):
    survey = survey_for(alice_world)
    http = login(alice_world.am)
    assert http.get(reverse("portal:nps")).status_code == 403
    assert http.post(reverse("portal:nps_answer", args=[survey.pk]), {"score": "9"}).status_code == 403


def test_portal_list_is_constant_in_queries(alice_world, django_assert_max_num_queries):
    survey_for(alice_world)
    http = login(alice_world.client_contact)
    http.get(reverse("portal:nps"))
    with scope(agency=alice_world.agency):
        NpsSurvey.objects.filter(agency=alice_world.agency).update(sent_at=timezone.now() - timedelta(days=200))
    for _ in range(3):
        survey = survey_for(alice_world)
        with scope(agency=alice_world.agency):
            NpsSurvey.objects.filter(pk=survey.pk).update(sent_at=timezone.now() - timedelta(days=200))
    with django_assert_max_num_queries(12):
        assert http.get(reverse("portal:nps")).status_code == 200


# The e-mailed link ------------------------------------------------------------------------------------------

def test_link_answers_without_login_then_thanks_then_used(alice_world):
    survey = survey_for(alice_world)
    url = reverse("portal:nps_link", args=[token_for(survey)])
    http = HttpClient()
    page = http.get(url + "?score=9")
    assert page.status_code == 200 and 'id="nps-form"' in page.content.decode()
    assert 'value="9"' in page.content.decode() and "checked" in page.content.decode()
    done = http.post(url, {"score": "9", "comment": "Спасибо"})
    assert done.status_code == 302
    thanks = http.get(done.url)
    assert thanks.status_code == 200 and 'id="nps-thanks"' in thanks.content.decode()
    with scope(agency=alice_world.agency):
        answer = NpsResponse.objects.get(agency=alice_world.agency)
    assert (answer.score, answer.channel) == (9, "email_link")
    reused = http.get(url)
    assert reused.status_code == 410 and 'id="nps-answered"' in reused.content.decode()
    again = http.post(url, {"score": "0"})
    assert again.status_code == 410
    with scope(agency=alice_world.agency):
        assert NpsResponse.objects.filter(agency=alice_world.agency).count() == 1


def test_link_expired_says_so(alice_world):
    survey = survey_for(alice_world)
    with scope(agency=alice_world.agency):
        NpsSurvey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    url = reverse("portal:nps_link", args=[token_for(survey)])
    for response in (HttpClient().get(url), HttpClient().post(url, {"score": "5"})):
        assert response.status_code == 410 and 'id="nps-expired"' in response.content.decode()
    with scope(agency=alice_world.agency):
        assert not NpsResponse.objects.filter(agency=alice_world.agency).exists()


def test_forged_or_revoked_link_is_404(alice_world):
    survey = survey_for(alice_world)
    token = token_for(survey)
    assert HttpClient().get(reverse("portal:nps_link", args=[token[:-3] + "abc"])).status_code == 404
    assert HttpClient().get(reverse("portal:nps_link", args=["garbage"])).status_code == 404
    with scope(agency=alice_world.agency):
        NpsSurvey.objects.filter(pk=survey.pk).update(nonce="changed")
    assert HttpClient().get(reverse("portal:nps_link", args=[token])).status_code == 404


def test_link_works_for_someone_logged_in_elsewhere(alice_world, bob_world):
    """A staff login of another agency opening the link still answers the survey of its own agency."""
    survey = survey_for(alice_world)
    url = reverse("portal:nps_link", args=[token_for(survey)])
    assert login(bob_world.am).post(url, {"score": "7"}).status_code == 302
    with scope(agency=alice_world.agency):
        assert NpsResponse.objects.get(agency=alice_world.agency).score == 7


def test_invalid_link_answer_is_422_in_place(alice_world):
    survey = survey_for(alice_world)
    response = HttpClient().post(reverse("portal:nps_link", args=[token_for(survey)]), {"comment": "без оценки"})
    assert response.status_code == 422 and "без оценки" in response.content.decode()


# Staff ----------------------------------------------------------------------------------------------------

def _answer(world, score, comment=""):
    from portal.services import nps as nps_services

    survey = survey_for(world)
    with scope(agency=world.agency):
        nps_services.nps_answer(agency=world.agency, actor=None, survey=survey, score=score, comment=comment,
                                channel="email_link")
        NpsSurvey.objects.filter(pk=survey.pk).update(sent_at=timezone.now() - timedelta(days=200))
    return survey


def test_client_page_shows_the_nps_block_to_managers_only(alice_world):
    _answer(alice_world, 10, "Лучшие")
    client = alice_world.client_contact.contact.client
    body = client_page(login(alice_world.am), client.pk)
    assert 'id="section-nps"' in body and "Лучшие" in body and 'id="nps-current"' in body
    assert 'id="nps-send-now"' in body  # "send a survey now" right in the block
    specialist = alice_world.specialist
    with scope(agency=alice_world.agency):
        client.team.add(specialist.user)
    assert "Лучшие" not in client_page(login(specialist), client.pk)


def test_staff_nps_page_history_and_current_score(alice_world, django_assert_max_num_queries):
    _answer(alice_world, 10, "Лучшие")
    _answer(alice_world, 3, "Медленно")
    client = alice_world.client_contact.contact.client
    http = login(alice_world.am)
    url = reverse("portal:nps_client", args=[client.pk])
    http.get(url)
    with django_assert_max_num_queries(25):
        page = http.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "Лучшие" in body and "Медленно" in body
    assert 'id="nps-current">0<' in body.replace("\n", "")  # one promoter, one detractor


def test_am_sends_a_survey_now_and_too_soon_is_a_clear_error(alice_world, django_capture_on_commit_callbacks):
    from django.core import mail

    client = alice_world.client_contact.contact.client
    contact = alice_world.client_contact.contact
    http = login(alice_world.am)
    url = reverse("portal:nps_send", args=[client.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(url, {"contact": str(contact.pk)})
    assert response.status_code == 302 and len(mail.outbox) == 1
    again = http.post(url, {"contact": str(contact.pk)})
    assert again.status_code == 422 and 'name="contact"' in again.content.decode()
    assert "90" in again.content.decode()  # the interval and the date it becomes possible
    with scope(agency=alice_world.agency):
        assert NpsSurvey.objects.filter(agency=alice_world.agency).count() == 1
    bad = http.post(url, {"contact": "not-a-uuid"})
    assert bad.status_code == 422


def test_send_to_a_contact_of_another_client_is_refused(alice_world):
    client = alice_world.client_contact.contact.client
    with scope(agency=alice_world.agency):
        stranger = f.ContactFactory(client=f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user))
    response = login(alice_world.am).post(reverse("portal:nps_send", args=[client.pk]),
                                          {"contact": str(stranger.pk)})
    assert response.status_code == 422


def test_specialist_and_other_am_cannot_send(alice_world):
    client = alice_world.client_contact.contact.client
    contact = alice_world.client_contact.contact
    assert login(alice_world.specialist).post(reverse("portal:nps_send", args=[client.pk]),
                                              {"contact": str(contact.pk)}).status_code == 403
    # The second AM does not see this client (not the owner, not on the team): 404.
    assert login(alice_world.am2).post(reverse("portal:nps_send", args=[client.pk]),
                                       {"contact": str(contact.pk)}).status_code == 404


def test_staff_pages_of_another_agencys_client_answer_404(alice_world, bob_world):
    theirs = bob_world.client_contact.contact.client
    http = login(alice_world.director)
    assert http.get(reverse("portal:nps_client", args=[theirs.pk])).status_code == 404
    assert http.post(reverse("portal:nps_send", args=[theirs.pk]), {}).status_code == 404
    assert http.post(reverse("portal:nps_plan", args=[theirs.pk]), {}).status_code == 404


def test_am_sets_the_client_schedule(alice_world):
    client = alice_world.client_contact.contact.client
    http = login(alice_world.am)
    response = http.post(reverse("portal:nps_plan", args=[client.pk]), {"schedule": "off", "after_milestone": "on"})
    assert response.status_code == 302
    with scope(agency=alice_world.agency):
        plan = NpsClientPlan.objects.get(agency=alice_world.agency, client=client)
    assert (plan.schedule, plan.after_milestone) == ("off", "on")
    bad = http.post(reverse("portal:nps_plan", args=[client.pk]), {"schedule": "weekly"})
    assert bad.status_code == 422


def test_director_changes_the_rules(alice_world):
    http = login(alice_world.director)
    assert http.get(reverse("portal:nps_settings")).status_code == 200
    response = http.post(reverse("portal:nps_settings"), {"min_interval_days": "120", "default_schedule":
                                                          "half_yearly", "after_milestone": "", "link_valid_days": "14"})
    assert response.status_code == 302
    with scope(agency=alice_world.agency):
        rules = NpsSettings.objects.get(agency=alice_world.agency)
    assert (rules.min_interval_days, rules.default_schedule, rules.after_milestone) == (120, "half_yearly", False)
    bad = http.post(reverse("portal:nps_settings"), {"min_interval_days": "1", "default_schedule": "quarterly",
                                                     "link_valid_days": "14"})
    assert bad.status_code == 422
    assert login(alice_world.am).get(reverse("portal:nps_settings")).status_code == 403
