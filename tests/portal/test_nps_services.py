"""NPS writes: the interval, the daily schedule (idempotent), the milestone trigger, the e-mail, the one answer."""
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope

from mrm.core.errors import ServiceError
from portal.models import NpsClientPlan, NpsResponse, NpsSettings, NpsSurvey
from portal.selectors.nps import nps_client_current, nps_score
from portal.services import nps as nps_services
from portal.tasks import nps_schedule_agency_task, nps_schedule_all_task
from tests import factories as f

from .nps_helpers import survey_for, token_for

pytestmark = pytest.mark.django_db


def test_send_now_creates_a_survey_and_mails_a_signed_link(alice_world, django_capture_on_commit_callbacks):
    survey = survey_for(alice_world, capture=django_capture_on_commit_callbacks)
    assert survey.trigger == NpsSurvey.Trigger.MANUAL and survey.answered_at is None
    assert survey.expires_at - survey.sent_at == timedelta(days=30)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["client@alice.test"]
    token = re.search(r"/portal/nps/r/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert nps_services.link_token_parse(token)[1] == str(survey.pk)
    with scope(agency=alice_world.agency):
        survey.refresh_from_db()
    assert survey.emailed_at is not None
    # A second delivery (a redelivered task) sends nothing more.
    with scope(agency=alice_world.agency):
        assert nps_services.deliver(agency_id=alice_world.agency.pk, survey_id=str(survey.pk)) is False
    assert len(mail.outbox) == 1


def test_send_now_within_the_interval_is_refused_with_the_date(alice_world):
    survey_for(alice_world)
    with pytest.raises(ServiceError) as exc:
        survey_for(alice_world)
    assert exc.value.code == "too_soon" and "90" in exc.value.message
    with scope(agency=alice_world.agency):
        assert NpsSurvey.objects.filter(agency=alice_world.agency).count() == 1
        # After the interval it is allowed again.
        NpsSurvey.objects.filter(agency=alice_world.agency).update(sent_at=timezone.now() - timedelta(days=91))
    survey_for(alice_world)


def test_send_now_refuses_a_contact_without_email_or_of_another_client(alice_world):
    with scope(agency=alice_world.agency):
        client = alice_world.client_contact.contact.client
        silent = f.ContactFactory(client=client, email="")
        other = f.ContactFactory(client=f.ClientFactory(agency=alice_world.agency))
        for contact in (silent, other):
            with pytest.raises(ServiceError):
                nps_services.nps_survey_send_now(agency=alice_world.agency, actor=alice_world.am.user, client=client,
                                                 contact=contact)


def test_daily_schedule_asks_each_recipient_once_even_when_run_twice(alice_world, bob_world,
                                                                    django_capture_on_commit_callbacks):
    agency = alice_world.agency
    with scope(agency=agency):
        client = alice_world.client_contact.contact.client
        f.ContactFactory(client=client, email="primary@alice.test", is_primary=True)
        f.ContactFactory(client=client, email="someone@alice.test")  # no login, not primary: not asked
        paused = f.ClientFactory(agency=agency, status="paused")
        f.ContactFactory(client=paused, is_primary=True)
        off = f.ClientFactory(agency=agency)
        f.ContactFactory(client=off, is_primary=True)
        NpsClientPlan.objects.create(agency=agency, client=off, schedule="off")
    with django_capture_on_commit_callbacks(execute=True):
        assert nps_schedule_all_task.delay().get() == 2
    with scope(agency=agency):
        surveys = list(NpsSurvey.objects.filter(agency=agency).select_related("contact"))
    assert sorted(s.contact.email for s in surveys) == ["client@alice.test", "primary@alice.test"]
    assert all(s.trigger == "scheduled" and s.trigger_ref for s in surveys)
    assert len([m for m in mail.outbox if m.to[0].endswith("alice.test")]) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert nps_schedule_agency_task.delay(agency_id=agency.pk).get() == 0
    with scope(agency=agency):
        assert NpsSurvey.objects.filter(agency=agency).count() == 2


def test_the_period_key_blocks_a_second_scheduled_survey_even_past_the_interval(alice_world):
    agency = alice_world.agency
    with scope(agency=agency):
        NpsSettings.objects.create(agency=agency, min_interval_days=14)
        assert nps_services.nps_schedule_agency(agency=agency) == 1
        NpsSurvey.objects.filter(agency=agency).update(sent_at=timezone.now() - timedelta(days=20))
        # Same quarter: the unique (contact, trigger, period) key says no, whatever the interval.
        assert nps_services.nps_schedule_agency(agency=agency) == 0


def test_schedule_respects_a_recent_manual_survey(alice_world):
    survey_for(alice_world)
    with scope(agency=alice_world.agency):
        assert nps_services.nps_schedule_agency(agency=alice_world.agency) == 0


def test_a_client_visible_milestone_reached_asks_the_client(alice_world, django_capture_on_commit_callbacks):
    from projects.services.work import milestone_set_reached

    agency = alice_world.agency
    with scope(agency=agency):
        client = alice_world.client_contact.contact.client
        project = f.ProjectFactory(agency=agency, client=client, name="Сайт")
        visible = f.MilestoneFactory(project=project, title="Запуск", client_visible=True)
        internal = f.MilestoneFactory(project=project, title="Внутренняя", client_visible=False)
        with django_capture_on_commit_callbacks(execute=True):
            milestone_set_reached(agency=agency, actor=alice_world.director.user, milestone=internal, reached=True)
        assert not NpsSurvey.objects.filter(agency=agency).exists()
        with django_capture_on_commit_callbacks(execute=True):
            milestone_set_reached(agency=agency, actor=alice_world.director.user, milestone=visible, reached=True)
        survey = NpsSurvey.objects.get(agency=agency)
    assert survey.trigger == "milestone" and survey.trigger_ref == str(visible.pk)
    assert "Запуск" in survey.trigger_label


def test_milestone_trigger_can_be_turned_off_per_client(alice_world):
    agency = alice_world.agency
    with scope(agency=agency):
        client = alice_world.client_contact.contact.client
        NpsClientPlan.objects.create(agency=agency, client=client, after_milestone="off")
        milestone = f.MilestoneFactory(project=f.ProjectFactory(agency=agency, client=client), client_visible=True)
        assert nps_services.nps_milestone_reached(agency=agency, project_id=milestone.project_id,
                                                  milestone_id=milestone.pk) == 0
        NpsClientPlan.objects.filter(agency=agency, client=client).update(after_milestone="on")
        assert nps_services.nps_milestone_reached(agency=agency, project_id=milestone.project_id,
                                                  milestone_id=milestone.pk) == 1
        # The same milestone again (a re-delivered event): nothing new.
        NpsSurvey.objects.filter(agency=agency).update(sent_at=timezone.now() - timedelta(days=400))
        assert nps_services.nps_milestone_reached(agency=agency, project_id=milestone.project_id,
                                                  milestone_id=milestone.pk) == 0


def test_answer_once_then_refused_and_expired_refused(alice_world):
    survey = survey_for(alice_world)
    agency = alice_world.agency
    with scope(agency=agency):
        response = nps_services.nps_answer(agency=agency, actor=None, survey=survey, score=9, comment=" Отлично ",
                                           channel=NpsResponse.Channel.EMAIL_LINK)
        assert (response.score, response.comment, response.category) == (9, "Отлично", "promoter")
        assert response.client_id == survey.client_id and response.contact_name == "Клиент-контакт Alice Agency"
        with pytest.raises(ServiceError) as exc:
            nps_services.nps_answer(agency=agency, actor=None, survey=survey, score=3, comment="",
                                    channel=NpsResponse.Channel.PORTAL)
        assert exc.value.code == "answered"
        assert NpsResponse.objects.filter(agency=agency).count() == 1
        NpsSurvey.objects.filter(agency=agency).update(sent_at=timezone.now() - timedelta(days=200))
    late = survey_for(alice_world)
    with scope(agency=agency):
        NpsSurvey.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        with pytest.raises(ServiceError) as exc:
            nps_services.nps_answer(agency=agency, actor=None, survey=late, score=5, comment="",
                                    channel=NpsResponse.Channel.EMAIL_LINK)
        assert exc.value.code == "expired"


def test_nps_is_promoters_minus_detractors(alice_world):
    agency = alice_world.agency
    with scope(agency=agency):
        client = alice_world.client_contact.contact.client
        for score in (10, 9, 8, 3):
            contact = f.ContactFactory(client=client)
            survey = nps_services._survey_create(agency=agency, actor=None, contact=contact, trigger="manual",
                                                 rules=nps_services.nps_settings_get(agency=agency))[0]
            nps_services.nps_answer(agency=agency, actor=None, survey=survey, score=score, comment="",
                                    channel="portal")
        current = nps_client_current(agency=agency, client=client)
        assert (current.count, current.promoters, current.passives, current.detractors, current.nps) == (4, 2, 1, 1,
                                                                                                       25)
        assert nps_score(NpsResponse.objects.none()).nps is None


def test_the_link_token_is_signed(alice_world):
    survey = survey_for(alice_world)
    token = token_for(survey)
    assert nps_services.link_token_parse(token)[1] == str(survey.pk)
    assert nps_services.link_token_parse(token[:-2] + "xx") is None
