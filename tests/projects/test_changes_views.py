"""The Changes tab: staff pages, HTMX line editing, sending, withdrawing, a phone decision; policy and tenancy."""
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from clients.models import Contact
from projects.models import ChangeRequest, Project
from tests import factories as f
from tests.conftest import login

from .changes_helpers import draft_with_lines, project_of, rate_card, send

pytestmark = pytest.mark.django_db


def test_changes_tab_lists_requests_and_shows_hidden_cost_in_constant_queries(
        alice_world, django_assert_max_num_queries):
    project = project_of(alice_world)
    roles = rate_card(alice_world.agency)
    for _ in range(3):
        draft_with_lines(alice_world, project, roles=roles)
    for n in range(5):
        task = f.ProjectTaskFactory(agency=alice_world.agency, project=project, out_of_scope=True, title=f"Сверх {n}")
        f.TimeEntryFactory(agency=alice_world.agency, project=project, task=task, user=alice_world.specialist.user,
                           hours=2, sell_rate=3000, cost_rate=1000)
    http = login(alice_world.am)
    url = reverse("projects:changes", args=[project.pk])
    http.get(url)
    with django_assert_max_num_queries(20):
        response = http.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="hidden-cost"' in body and 'id="prefill-change"' in body and body.count('id="cr-') == 3
    assert 'id="tab-changes"' in body


def test_another_agencys_project_and_change_request_answer_404(alice_world, bob_world):
    cr = draft_with_lines(bob_world)
    http = login(alice_world.director)
    assert http.get(reverse("projects:changes", args=[cr.project_id])).status_code == 404
    assert http.get(reverse("projects:change_detail", args=[cr.project_id, cr.pk])).status_code == 404
    # Alice's own project with Bob's change request id: 404 as well.
    mine = project_of(alice_world)
    assert http.get(reverse("projects:change_detail", args=[mine.pk, cr.pk])).status_code == 404
    assert http.post(reverse("projects:change_withdraw", args=[mine.pk, cr.pk])).status_code == 404


def test_specialist_sees_the_tab_but_cannot_edit_change_requests(alice_world):
    cr = draft_with_lines(alice_world)
    http = login(alice_world.specialist)  # the project's PM
    assert http.get(reverse("projects:change_detail", args=[cr.project_id, cr.pk])).status_code == 200
    response = http.post(reverse("projects:change_create", args=[cr.project_id]), {"cr-title": "x"})
    assert response.status_code == 403
    assert http.post(reverse("projects:change_withdraw", args=[cr.project_id, cr.pk])).status_code == 403


def test_am_creates_a_request_and_adds_lines_by_htmx(alice_world):
    project = project_of(alice_world)
    designer, _ = rate_card(alice_world.agency)
    http = login(alice_world.am)
    response = http.post(reverse("projects:change_create", args=[project.pk]),
                         {"cr-title": "Баннеры к акции", "cr-description": "Клиент попросил ещё"})
    with scopes_disabled():
        cr = ChangeRequest.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == reverse("projects:change_detail",
                                                                           args=[project.pk, cr.pk])
    url = reverse("projects:change_line_add", args=[project.pk, cr.pk])
    response = http.post(url, {"line-role": designer.pk, "line-description": "Баннер 240×400", "line-hours": "6"},
                         HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="lines"' in response.content.decode()
    bad = http.post(url, {"line-role": designer.pk, "line-description": "x", "line-hours": "0"},
                    HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    with scopes_disabled():
        cr.refresh_from_db()
        line = cr.lines.get()
    assert cr.subtotal == Decimal("18000.00") and line.rate == designer.hourly_rate
    response = http.post(reverse("projects:change_line_update", args=[project.pk, cr.pk, line.pk]),
                         {"hours": "7.5", "role": designer.pk, "description": "Баннер 240×400"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    with scopes_disabled():
        cr.refresh_from_db()
    assert cr.subtotal == Decimal("22500.00")
    http.post(reverse("projects:change_line_delete", args=[project.pk, cr.pk, line.pk]), HTTP_HX_REQUEST="true")
    with scopes_disabled():
        cr.refresh_from_db()
        assert cr.subtotal == 0 and not cr.lines.exists()


def test_costs_show_only_to_who_may_see_them(alice_world):
    cr = draft_with_lines(alice_world)
    url = reverse("projects:change_detail", args=[cr.project_id, cr.pk])
    assert 'id="cr-cost"' not in login(alice_world.am).get(url).content.decode()
    assert 'id="cr-cost"' in login(alice_world.director).get(url).content.decode()


def test_send_page_sends_to_the_chosen_contact(alice_world, django_capture_on_commit_callbacks):
    cr = draft_with_lines(alice_world)
    with scopes_disabled():
        contact = Contact.objects.get(pk=alice_world.client_contact.contact_id)
    http = login(alice_world.am)
    url = reverse("projects:change_send", args=[cr.project_id, cr.pk])
    assert http.get(url).status_code == 200
    assert http.post(url, {}).status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(url, {"contacts": [contact.pk], "message": "Посмотрите, пожалуйста"})
    assert response.status_code == 302
    with scopes_disabled():
        cr.refresh_from_db()
    assert cr.status == ChangeRequest.Status.SENT and len(mail.outbox) == 1
    assert "Посмотрите, пожалуйста" in mail.outbox[0].body


def test_staff_record_a_phone_approval_with_who_and_how(alice_world, django_capture_on_commit_callbacks):
    cr = send(alice_world, draft_with_lines(alice_world), django_capture_on_commit_callbacks)
    with scopes_disabled():
        contact = Contact.objects.get(pk=alice_world.client_contact.contact_id)
    http = login(alice_world.am)
    url = reverse("projects:change_record_decision", args=[cr.project_id, cr.pk])
    assert http.get(url).status_code == 200
    assert http.post(url, {"decision": "approve", "via": "phone", "content_hash": cr.content_hash}).status_code == 422
    response = http.post(url, {"decision": "approve", "via": "phone", "contact": contact.pk,
                               "content_hash": cr.content_hash, "note": "Согласовали по телефону"})
    assert response.status_code == 302
    with scopes_disabled():
        cr.refresh_from_db()
        project = Project.objects.get(pk=cr.project_id)
    assert cr.status == ChangeRequest.Status.APPROVED and cr.decided_via == "phone"
    assert cr.decided_by == alice_world.am.user and cr.decided_contact == contact
    assert project.budget_amount == cr.subtotal - cr.discount_amount


def test_withdraw_and_mark_extra_work(alice_world):
    cr = draft_with_lines(alice_world)
    http = login(alice_world.am)
    assert http.post(reverse("projects:change_withdraw", args=[cr.project_id, cr.pk])).status_code == 302
    with scopes_disabled():
        cr.refresh_from_db()
    assert cr.status == ChangeRequest.Status.WITHDRAWN
    task = f.ProjectTaskFactory(agency=alice_world.agency, project=cr.project)
    foreign = f.ProjectTaskFactory(agency=alice_world.agency)  # another project of the same agency
    pm = login(alice_world.specialist)
    pm.post(reverse("projects:change_scope", args=[cr.project_id]), {"task": task.pk, "out_of_scope": "on"})
    pm.post(reverse("projects:change_scope", args=[cr.project_id]), {"task": foreign.pk, "out_of_scope": "on"})
    with scope(agency=alice_world.agency):
        task.refresh_from_db()
        foreign.refresh_from_db()
    assert task.out_of_scope and not foreign.out_of_scope


def test_prefill_button_makes_a_draft_from_extra_work(alice_world):
    project = project_of(alice_world)
    designer, _ = rate_card(alice_world.agency)
    task = f.ProjectTaskFactory(agency=alice_world.agency, project=project, out_of_scope=True, role=designer)
    f.TimeEntryFactory(agency=alice_world.agency, project=project, task=task, user=alice_world.specialist.user,
                       hours="1.5", sell_rate=3000, cost_rate=1200)
    response = login(alice_world.am).post(reverse("projects:change_from_extra_work", args=[project.pk]))
    with scopes_disabled():
        cr = ChangeRequest.objects.get(project=project)
        assert response["Location"] == reverse("projects:change_detail", args=[project.pk, cr.pk])
        assert cr.lines.get().source_task == task and cr.hours == Decimal("1.5")


def test_detail_page_is_constant_in_queries(alice_world, django_assert_max_num_queries):
    cr = draft_with_lines(alice_world)
    designer, _ = rate_card(alice_world.agency)
    with scope(agency=alice_world.agency):
        from projects.services import changes as services

        for n in range(8):
            services.line_add(agency=alice_world.agency, actor=alice_world.am.user, change_request=cr, role=designer,
                              description=f"Строка {n}", hours=1)
    http = login(alice_world.director)
    url = reverse("projects:change_detail", args=[cr.project_id, cr.pk])
    with django_assert_max_num_queries(18):
        response = http.get(url)
    assert response.status_code == 200 and response.content.decode().count('<tr id="line-') == 10
