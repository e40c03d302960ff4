"""Health rebuilds after changes (debounced, after the commit) and nightly for every agency; the task rebuilds."""
from unittest import mock

from django_scopes import scope

from dashboards import health_rollups
from dashboards.models import ClientHealth
from tests import factories as f
from tests.conftest import clear_cache


def test_schedule_is_debounced(alice_world, django_capture_on_commit_callbacks):
    clear_cache()
    agency = alice_world.agency
    with mock.patch("dashboards.tasks.health_rollup_rebuild_task.apply_async") as queued, \
            django_capture_on_commit_callbacks(execute=True):
        assert health_rollups.health_rollup_schedule(agency=agency) is True
        assert health_rollups.health_rollup_schedule(agency=agency) is False
    queued.assert_called_once_with(kwargs={"agency_id": agency.pk},
                                   countdown=health_rollups.HEALTH_DEBOUNCE_SECONDS)
    with scope(agency=agency):
        health_rollups.health_rollup_run(agency=agency)  # clears the mark
    with mock.patch("dashboards.tasks.health_rollup_rebuild_task.apply_async"), \
            django_capture_on_commit_callbacks(execute=True):
        assert health_rollups.health_rollup_schedule(agency=agency) is True


def test_interaction_nps_answer_and_paid_invoice_schedule_a_rebuild(alice_world, django_capture_on_commit_callbacks):
    from clients.services.interactions import interaction_log
    from clients.services.invoices import invoice_mark_paid
    from portal.services.nps import nps_answer

    agency = alice_world.agency
    client = f.ClientFactory(agency=agency, owner=alice_world.am.user)
    with scope(agency=agency):
        survey = f.NpsSurveyFactory(contact=f.ContactFactory(client=client))
        invoice = f.InvoiceFactory(client=client, status="sent", paid_on=None)
        for change in (
                lambda: interaction_log(agency=agency, actor=alice_world.am.user, client=client,
                                        data={"kind": "call", "subject": "Созвон"}),
                lambda: nps_answer(agency=agency, actor=None, survey=survey, score=4, comment="", channel="portal"),
                lambda: invoice_mark_paid(agency=agency, actor=alice_world.director.user, invoice=invoice)):
            clear_cache()
            with mock.patch("dashboards.tasks.health_rollup_rebuild_task.apply_async") as queued, \
                    mock.patch("dashboards.tasks.kpi_rollup_rebuild_task.apply_async"), \
                    django_capture_on_commit_callbacks(execute=True):
                change()
            assert queued.call_count == 1


def test_nightly_task_and_the_rebuild_task(alice_world, bob_world):
    from dashboards.tasks import health_rollup_nightly_task, health_rollup_rebuild_task

    with mock.patch("dashboards.tasks.health_rollup_rebuild_task.delay") as queued:
        assert health_rollup_nightly_task() >= 2
    assert {c.kwargs["agency_id"] for c in queued.call_args_list} >= {alice_world.agency.pk, bob_world.agency.pk}
    assert health_rollup_rebuild_task(agency_id=alice_world.agency.pk) == 1  # the world's one active client
    with scope(agency=alice_world.agency):
        assert ClientHealth.objects.filter(agency=alice_world.agency).count() == 1


def test_beat_entry_is_registered():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["dashboards-health-rollup"]["task"] == \
        "dashboards.tasks.health_rollup_nightly_task"
