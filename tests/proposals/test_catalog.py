"""Rate card and catalog: directors manage them; validation errors are clear; the API follows the same rules."""
from decimal import Decimal

from django.urls import reverse
from django_scopes import scopes_disabled

from mrm.core.first_steps import steps_for
from mrm.tenancy.models import AuditLog
from proposals.models import RateRole, Service
from tests import factories as f
from tests.conftest import login


def test_catalog_page_shows_roles_margin_and_grouped_services(alice, catalog):
    response = login(alice).get(reverse("proposals:catalog"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "SMM-менеджер" in html and "Ведение сообществ" in html and "Настройка Яндекс Директ" in html
    assert "54\u00a0%" in html  # (2800 − 1300) / 2800 margin of the SMM role


def test_only_directors_reach_the_rate_card(alice_world, catalog):
    for member in (alice_world.am, alice_world.specialist):
        assert login(member).get(reverse("proposals:catalog")).status_code == 403
        assert login(member).post(reverse("proposals:role_create"), {"role-name": "X", "role-hourly_rate": "1"}
                                  ).status_code == 403
    assert login(alice_world.client_contact).get(reverse("proposals:catalog")).status_code == 302  # to the portal


def test_director_adds_a_role_and_it_is_audited(alice):
    response = login(alice).post(reverse("proposals:role_create"), {
        "role-name": "Копирайтер", "role-hourly_rate": "3000", "role-cost_rate": "1400", "role-order": "0",
        "role-is_active": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        role = RateRole.objects.get(agency=alice.agency, name="Копирайтер")
        assert role.hourly_rate == Decimal("3000")
        assert AuditLog.objects.filter(agency=alice.agency, action="ratecard.role_created").exists()


def test_duplicate_role_name_is_a_clear_error_and_input_is_kept(alice, catalog):
    response = login(alice).post(reverse("proposals:role_create"), {
        "role-name": "стратег", "role-hourly_rate": "9999", "role-cost_rate": "0", "role-order": "0"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "already on the rate card" in html or "уже есть" in html
    assert 'value="9999"' in html


def test_service_needs_a_role_and_a_sane_hours_range(alice, catalog):
    url = reverse("proposals:service_create")
    data = {"discipline": "seo", "name": "SEO-аудит", "unit": "hours", "hours_min": "30", "hours_max": "10",
            "order": "0", "is_active": "on"}
    response = login(alice).post(url, data)
    assert response.status_code == 422
    with scopes_disabled():
        assert not Service.objects.filter(agency=alice.agency, name="SEO-аудит").exists()
    data.update(hours_min="10", hours_max="30", roles=[str(catalog["roles"]["smm"].pk)])
    assert login(alice).post(url, data).status_code == 302
    with scopes_disabled():
        service = Service.objects.get(agency=alice.agency, name="SEO-аудит")
        assert list(service.roles.all()) == [catalog["roles"]["smm"]]


def test_service_form_refuses_another_agencys_role(alice, bob, catalog):
    foreign = f.RateRoleFactory(agency=bob.agency)
    response = login(alice).post(reverse("proposals:service_create"), {
        "discipline": "seo", "name": "SEO", "unit": "hours", "hours_min": "1", "hours_max": "2", "order": "0",
        "roles": [str(foreign.pk)]})
    assert response.status_code == 422


def test_settings_page_shows_public_link_and_embed_code(alice):
    response = login(alice).get(reverse("proposals:proposal_settings"))
    html = response.content.decode()
    assert f"/b/{alice.agency.slug}/" in html
    assert "&lt;iframe" in html and f"/b/{alice.agency.slug}/embed/" in html


def test_followup_days_are_validated_and_saved(alice):
    url = reverse("proposals:proposal_settings")
    bad = login(alice).post(url, {"followup_days": "3, soon", "validity_days": "14"})
    assert bad.status_code == 422
    ok = login(alice).post(url, {"followup_days": "14, 2, 7", "validity_days": "10"})
    assert ok.status_code == 302
    from proposals.models import ProposalSettings

    with scopes_disabled():
        assert ProposalSettings.objects.get(agency=alice.agency).followup_days == [2, 7, 14]


def test_first_step_is_done_once_the_rate_card_exists(alice):
    from django_scopes import scope

    with scope(agency=alice.agency):
        assert {s.key: done for s, done in steps_for(agency=alice.agency, membership=alice)}["rate_card"] is False
    f.ServiceFactory(agency=alice.agency)
    with scope(agency=alice.agency):
        assert {s.key: done for s, done in steps_for(agency=alice.agency, membership=alice)}["rate_card"] is True


def test_case_image_limits_are_clear(alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 10), content_type="image/png")
    response = login(alice).post(reverse("proposals:case_create"), {"title": "Кейс", "kind": "own", "image_upload": big})
    assert response.status_code == 422
    assert "5 MB" in response.content.decode() or "5 МБ" in response.content.decode()


def test_api_rate_card_hides_cost_from_ams_and_refuses_their_writes(alice_world, catalog):
    url = reverse("rate-role-list")
    am = login(alice_world.am)
    rows = am.get(url).json()["results"]
    assert rows and all("cost_rate" not in r for r in rows)
    assert am.post(url, {"name": "X", "hourly_rate": "1"}, content_type="application/json").status_code == 403
    director_rows = login(alice_world.director).get(url).json()["results"]
    assert all("cost_rate" in r for r in director_rows)


def test_api_service_create_validates_hours(alice, catalog):
    url = reverse("catalog-service-list")
    payload = {"discipline": "seo", "name": "SEO", "unit": "hours", "hours_min": "20", "hours_max": "5",
               "role_ids": [str(catalog["roles"]["smm"].pk)]}
    response = login(alice).post(url, payload, content_type="application/json")
    assert response.status_code == 400 and "hours_max" in response.json()
    payload["hours_max"] = "40"
    created = login(alice).post(url, payload, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["role_ids"] == [str(catalog["roles"]["smm"].pk)]
