"""The editor: estimate lines (add/update/remove/reorder, live totals via HTMX), discount with a reason,
sections (escaped text), team, cases, cover; role rules; list pages with a constant number of queries."""
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from proposals.models import EstimateLine, Proposal, ProposalSection
from proposals.services import editor
from tests import factories as f
from tests.conftest import login
from tests.money import number_in

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "estimate"}


@pytest.fixture
def proposal(alice_world, catalog):
    client = f.ClientFactory(agency=alice_world.agency, name="ООО «Ромашка»", owner=alice_world.am.user)
    with scope(agency=alice_world.agency):
        return editor.proposal_create(agency=alice_world.agency, actor=alice_world.am.user, client=client,
                                      title="КП для Ромашки")


def _lines(proposal):
    with scopes_disabled():
        return list(EstimateLine.objects.filter(proposal=proposal).order_by("order"))


def _fresh(proposal):
    with scopes_disabled():
        return Proposal.objects.get(pk=proposal.pk)


def test_add_update_and_remove_lines_update_totals_live(alice_world, catalog, proposal):
    http = login(alice_world.am)
    s, r = catalog["services"], catalog["roles"]
    response = http.post(reverse("proposals:line_add", args=[proposal.pk]),
                         {"line-service": str(s["smm"].pk), "line-hours": "10"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="estimate"' in html and "<html" not in html  # just the block
    assert number_in(response, 33600) in html  # 10 h × 2 800 = 28 000 + 20 % VAT
    (line,) = _lines(proposal)
    assert line.rate == Decimal("2800.00") and line.role == r["smm"]
    response = http.post(reverse("proposals:line_update", args=[proposal.pk, line.pk]),
                         {"hours": "12.5", "role": str(r["smm"].pk)}, **HTMX)
    assert response.status_code == 200 and number_in(response, 42000) in response.content.decode()  # 35 000 + VAT
    assert _fresh(proposal).total == Decimal("42000.00")
    http.post(reverse("proposals:line_add", args=[proposal.pk]), {"line-service": str(s["strategy"].pk)}, **HTMX)
    lines = _lines(proposal)
    assert lines[1].hours == Decimal("36")  # the middle of 24–48 when no hours are given
    http.post(reverse("proposals:line_move", args=[proposal.pk, lines[1].pk]), {"direction": "up"}, **HTMX)
    assert [ln.name for ln in _lines(proposal)] == ["Коммуникационная стратегия", "Ведение сообществ"]
    http.post(reverse("proposals:line_delete", args=[proposal.pk, lines[1].pk]), **HTMX)
    assert [ln.name for ln in _lines(proposal)] == ["Ведение сообществ"]
    assert _fresh(proposal).total == Decimal("42000.00")


def test_bad_hours_answer_422_with_a_message_and_change_nothing(alice_world, catalog, proposal):
    with scope(agency=alice_world.agency):
        line = editor.line_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=proposal,
                               service=catalog["services"]["smm"], hours=10)
    for bad in ("-1", "abc", "0", "100000"):
        response = login(alice_world.am).post(reverse("proposals:line_update", args=[proposal.pk, line.pk]),
                                              {"hours": bad}, **HTMX)
        assert response.status_code == 422
        assert "between 0.5 and 5000" in response.content.decode()
    assert _lines(proposal)[0].hours == Decimal("10")


def test_changing_a_role_brings_its_rate_and_a_foreign_role_is_refused(alice_world, bob_world, catalog, proposal):
    with scope(agency=alice_world.agency):
        line = editor.line_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=proposal,
                               service=catalog["services"]["smm"], hours=2)
    http = login(alice_world.am)
    # A line's role is one of its service's roles: the PPC specialist does not deliver community management.
    response = http.post(reverse("proposals:line_update", args=[proposal.pk, line.pk]),
                         {"hours": "2", "role": str(catalog["roles"]["ppc"].pk)}, **HTMX)
    assert response.status_code == 422 and _lines(proposal)[0].rate == Decimal("2800.00")
    http.post(reverse("proposals:line_update", args=[proposal.pk, line.pk]),
              {"hours": "2", "role": str(catalog["roles"]["strategist"].pk)}, **HTMX)
    assert _lines(proposal)[0].rate == Decimal("6500.00")
    foreign = f.RateRoleFactory(agency=bob_world.agency, hourly_rate=1)
    response = http.post(reverse("proposals:line_update", args=[proposal.pk, line.pk]),
                         {"hours": "2", "role": str(foreign.pk)}, **HTMX)
    assert response.status_code == 422 and _lines(proposal)[0].rate == Decimal("6500.00")


def test_a_rate_change_on_the_rate_card_does_not_move_an_existing_line(alice_world, catalog, proposal):
    with scope(agency=alice_world.agency):
        editor.line_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=proposal,
                        service=catalog["services"]["smm"], hours=10)
    with scopes_disabled():
        catalog["roles"]["smm"].hourly_rate = Decimal("9999")
        catalog["roles"]["smm"].save()
    assert _lines(proposal)[0].amount == Decimal("28000.00")


def test_discount_needs_a_reason(alice_world, catalog, proposal):
    with scope(agency=alice_world.agency):
        editor.line_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=proposal,
                        service=catalog["services"]["smm"], hours=10)
    url = reverse("proposals:discount", args=[proposal.pk])
    http = login(alice_world.am)
    response = http.post(url, {"discount-discount_percent": "10", "discount-discount_reason": ""}, **HTMX)
    assert response.status_code == 422 and "Say why" in response.content.decode()
    assert _fresh(proposal).discount_percent == 0
    response = http.post(url, {"discount-discount_percent": "10", "discount-discount_reason": "Годовой контракт"},
                         **HTMX)
    assert response.status_code == 200
    fresh = _fresh(proposal)
    assert fresh.discount_amount == Decimal("2800.00") and fresh.total == Decimal("30240.00")
    from mrm.tenancy.models import AuditLog

    with scopes_disabled():
        entry = AuditLog.objects.get(agency=alice_world.agency, action="proposal.discount_changed")
    assert entry.changes["discount_reason"][1] == "Годовой контракт"


def test_sections_are_saved_and_shown_escaped(alice_world, proposal):
    http = login(alice_world.am)
    http.post(reverse("proposals:section_add", args=[proposal.pk]), {"new-section-title": "Подход"})
    with scopes_disabled():
        section = ProposalSection.objects.get(proposal=proposal)
    http.post(reverse("proposals:section_update", args=[proposal.pk, section.pk]), {
        f"s-{section.pk}-title": "Подход", f"s-{section.pk}-body": "<script>alert(1)</script>\nВторая строка"})
    preview = http.get(reverse("proposals:preview", args=[proposal.pk])).content.decode()
    assert "<script>alert(1)</script>" not in preview
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Вторая строка" in preview
    response = http.post(reverse("proposals:section_update", args=[proposal.pk, section.pk]), {
        f"s-{section.pk}-title": "", f"s-{section.pk}-body": "x"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "heading" in response.content.decode()


def test_team_and_cases(alice_world, bob_world, proposal):
    http = login(alice_world.am)
    http.post(reverse("proposals:team_add", args=[proposal.pk]),
              {"team-user": str(alice_world.specialist.user.pk), "team-role_title": "Проектный менеджер"})
    with scopes_disabled():
        assert [m.user for m in proposal.team.order_by("order")] == [alice_world.am.user, alice_world.specialist.user]
    outsider = http.post(reverse("proposals:team_add", args=[proposal.pk]),
                         {"team-user": str(bob_world.am.user.pk)}, HTTP_HX_REQUEST="true")
    assert outsider.status_code == 422
    case = f.CaseFactory(agency=alice_world.agency, title="Рост заявок")
    foreign_case = f.CaseFactory(agency=bob_world.agency)
    http.post(reverse("proposals:cases", args=[proposal.pk]), {"cases-cases": [str(case.pk)]})
    with scopes_disabled():
        assert list(proposal.cases.all()) == [case]
    response = http.post(reverse("proposals:cases", args=[proposal.pk]), {"cases-cases": [str(foreign_case.pk)]},
                         HTTP_HX_REQUEST="true")
    assert response.status_code == 422


def test_cover_dates_must_make_sense(alice_world, proposal):
    response = login(alice_world.am).post(reverse("proposals:cover", args=[proposal.pk]), {
        "cover-title": "Новое название", "cover-issued_on": "2026-03-10", "cover-valid_until": "2026-03-01"})
    assert response.status_code == 422 and "valid at least until" in response.content.decode()
    assert 'value="Новое название"' in response.content.decode()
    ok = login(alice_world.am).post(reverse("proposals:cover", args=[proposal.pk]), {
        "cover-title": "Новое название", "cover-issued_on": "2026-03-10", "cover-valid_until": "2026-03-24"})
    assert ok.status_code == 302 and _fresh(proposal).title == "Новое название"


def test_roles_specialist_reads_only_and_am2_cannot_see(alice_world, catalog, proposal):
    client_page = login(alice_world.specialist).get(reverse("proposals:detail", args=[proposal.pk]))
    assert client_page.status_code == 404  # not on the client's team
    with scopes_disabled():
        proposal.client.team.add(alice_world.specialist.user)
    page = login(alice_world.specialist).get(reverse("proposals:detail", args=[proposal.pk]))
    assert page.status_code == 200 and "line-service" not in page.content.decode()
    assert login(alice_world.specialist).post(reverse("proposals:line_add", args=[proposal.pk]),
                                              {"line-service": str(catalog["services"]["smm"].pk)}).status_code == 403
    assert login(alice_world.am2).get(reverse("proposals:detail", args=[proposal.pk])).status_code == 404
    assert login(alice_world.director).get(reverse("proposals:detail", args=[proposal.pk])).status_code == 200


def test_answered_proposal_is_frozen(alice_world, catalog, proposal):
    with scopes_disabled():
        Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.ACCEPTED)
    response = login(alice_world.am).post(reverse("proposals:line_add", args=[proposal.pk]),
                                          {"line-service": str(catalog["services"]["smm"].pk)}, **HTMX)
    assert response.status_code == 422 and "can no longer be changed" in response.content.decode()


def test_manual_proposal_from_the_list(alice_world):
    client = f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    response = login(alice_world.am).post(reverse("proposals:create"), {"client": str(client.pk), "title": "КП"})
    assert response.status_code == 302
    with scopes_disabled():
        proposal = Proposal.objects.get(client=client)
    assert proposal.vat_rate == alice_world.agency.vat_rate and proposal.owner == alice_world.am.user


def test_proposal_list_has_constant_queries(alice_world, catalog, django_assert_max_num_queries):
    agency = alice_world.agency
    for i in range(55):
        client = f.ClientFactory(agency=agency, owner=alice_world.am.user)
        proposal = f.ProposalFactory(agency=agency, client=client, owner=alice_world.am.user, total=1000 + i)
        if i % 5 == 0:
            version = f.ProposalVersionFactory(agency=agency, proposal=proposal)
            f.RecipientFactory(agency=agency, proposal=proposal, version=version, open_count=2)
    http = login(alice_world.am)
    with django_assert_max_num_queries(14):
        response = http.get(reverse("proposals:list"))
    assert response.status_code == 200 and response.content.decode().count('class="fw-semibold" href="/proposals/') == 25
    with django_assert_max_num_queries(14):
        assert http.get(reverse("proposals:list") + "?page=3&sort=-total").status_code == 200


def test_brief_list_has_constant_queries(alice_world, django_assert_max_num_queries):
    agency = alice_world.agency
    template = f.BriefTemplateFactory(agency=agency)
    for _i in range(55):
        client = f.ClientFactory(agency=agency, owner=alice_world.am.user)
        f.BriefFactory(agency=agency, client=client, owner=alice_world.am.user, template=template)
    http = login(alice_world.am)
    with django_assert_max_num_queries(14):
        response = http.get(reverse("proposals:brief_list"))
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        assert http.get(reverse("proposals:brief_list") + "?q=Клиент&page=2").status_code == 200


def test_editor_page_queries_do_not_grow_with_lines(alice_world, catalog, proposal, django_assert_max_num_queries):
    with scope(agency=alice_world.agency):
        for _ in range(30):
            editor.line_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=proposal,
                            service=catalog["services"]["smm"], hours=2, recalc=False)
    http = login(alice_world.am)
    with django_assert_max_num_queries(25):
        assert http.get(reverse("proposals:detail", args=[proposal.pk])).status_code == 200


def test_catalog_page_has_constant_queries(alice, django_assert_max_num_queries):
    roles = [f.RateRoleFactory(agency=alice.agency) for _ in range(10)]
    for i in range(50):
        f.ServiceFactory(agency=alice.agency, discipline=["smm", "seo", "context"][i % 3], roles=roles[:2])
    http = login(alice)
    with django_assert_max_num_queries(10):
        assert http.get(reverse("proposals:catalog")).status_code == 200
