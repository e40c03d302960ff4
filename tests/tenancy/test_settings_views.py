import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from PIL import Image

from mrm.tenancy.models import AuditLog, Holiday
from mrm.tenancy.selectors import kpi_target, kpi_target_defaults
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _settings_data(agency, **overrides):
    data = {
        "name": agency.name, "brand_color": "#112233", "accent_color": "#0E9F6E", "currency": "RUB",
        "vat_rate": "20.00", "timezone": "Europe/Moscow", "business_hours_start": "10:00",
        "business_hours_end": "19:00", "work_days": "12345", "no_contact_days": "14", "target_retention": "85",
        "target_nps": "50", "target_upsell": "30", "target_response_hours": "2", "target_report_quality": "4.5",
        "target_revenue_growth": "10",
    }
    return {**data, **overrides}


def _png(size=(10, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#1F6FEB").save(buffer, "PNG")
    return buffer.getvalue()


def test_director_changes_settings_and_the_audit_log_records_it(alice):
    response = login(alice).post("/settings/", _settings_data(alice.agency, target_nps="60"))
    assert response.status_code == 302
    alice.agency.refresh_from_db()
    assert alice.agency.brand_color == "#112233"
    with scopes_disabled():
        assert kpi_target(agency=alice.agency, metric="nps") == Decimal("60")
    with scopes_disabled():
        row = AuditLog.objects.get(agency=alice.agency, action="agency.updated")
    assert row.actor == alice.user
    assert row.changes["brand_color"] == ["#1F6FEB", "#112233"]


def test_kpi_target_defaults_come_from_the_domain(alice):
    agency = alice.agency
    with scopes_disabled():
        targets = kpi_target_defaults(agency=agency)
    assert [targets[m] for m in ("retention", "nps", "upsell")] == [85, 50, 30]
    assert [targets[m] for m in ("response_hours", "report_quality", "revenue_growth")] == [2, Decimal("4.5"), 10]
    assert agency.currency == "RUB" and agency.vat_rate == 20


@pytest.mark.parametrize("overrides, field_text", [
    ({"business_hours_end": "09:00"}, "end after"),
    ({"brand_color": "blue"}, "#1F6FEB"),
    ({"vat_rate": "120"}, "100"),
    ({"work_days": "189"}, "1"),
])
def test_bad_settings_are_explained_in_place(alice, overrides, field_text):
    response = login(alice).post("/settings/", _settings_data(alice.agency, **overrides))
    assert response.status_code == 422
    assert "invalid-feedback" in response.content.decode() or "alert-danger" in response.content.decode()
    alice.agency.refresh_from_db()
    assert alice.agency.brand_color == "#1F6FEB"


def test_logo_upload_and_limits(alice):
    http = login(alice)
    ok = http.post("/settings/", {**_settings_data(alice.agency),
                                  "logo_upload": SimpleUploadedFile("logo.png", _png(), "image/png")})
    assert ok.status_code == 302
    alice.agency.refresh_from_db()
    assert alice.agency.logo.name.startswith("logos/")  # a random name in the public storage
    not_image = http.post("/settings/", {**_settings_data(alice.agency),
                                         "logo_upload": SimpleUploadedFile("logo.png", b"not an image", "image/png")})
    assert not_image.status_code == 422 and "invalid-feedback" in not_image.content.decode()


@pytest.mark.parametrize("role", ["am", "specialist"])
def test_only_directors_open_settings_team_and_audit(alice_world, role):
    http = login(getattr(alice_world, role))
    for url in ("/settings/", "/settings/team/", "/settings/audit/"):
        assert http.get(url).status_code == 403, url
    assert http.post("/settings/", _settings_data(alice_world.agency)).status_code == 403


def test_client_contact_is_sent_to_the_portal(alice_world):
    http = login(alice_world.client_contact)
    response = http.get("/settings/")
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert http.get("/clients/").status_code == 302


def test_holidays_add_import_and_remove(alice):
    http = login(alice)
    http.post("/settings/holidays/", {"date": "2026-12-31", "name": "Корпоратив"})
    http.post("/settings/holidays/", {"official_year": "2027"})
    with scopes_disabled():
        holidays = Holiday.objects.filter(agency=alice.agency)
        assert holidays.filter(name="Корпоратив").exists()
        assert holidays.filter(date__year=2027).count() >= 8
        duplicate = http.post("/settings/holidays/", {"date": "2026-12-31", "name": "Ещё раз"}, follow=True)
        assert holidays.filter(date="2026-12-31").count() == 1
        assert "already" in duplicate.content.decode() or "уже" in duplicate.content.decode()
        target = holidays.get(name="Корпоратив")
    http.post(f"/settings/holidays/{target.pk}/remove/")
    with scopes_disabled():
        assert not Holiday.objects.filter(pk=target.pk).exists()


def test_owner_cannot_be_demoted(alice):
    response = login(alice).post(f"/settings/team/{alice.uuid}/", {"role": "am", "is_active": "on"})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.role == "director"


def test_director_changes_a_role_and_deactivation_locks_out(alice_world):
    am = alice_world.am
    assert login(alice_world.director).post(f"/settings/team/{am.uuid}/", {"role": "specialist"}).status_code == 302
    am.refresh_from_db()
    assert am.role == "specialist" and not am.is_active
    # A deactivated member has no agency any more.
    assert login(am).get("/today/")["Location"] == "/accounts/no-agency/"


def test_portfolio_thresholds_and_hourly_cost_are_saved(alice):
    response = login(alice).post("/settings/", _settings_data(
        alice.agency, concentration_warning_share="30", concentration_warning_hhi="1800", internal_hourly_cost="1500"))
    assert response.status_code == 302
    alice.agency.refresh_from_db()
    assert alice.agency.concentration_warning_share == Decimal("30")
    assert alice.agency.concentration_warning_hhi == 1800 and alice.agency.internal_hourly_cost == Decimal("1500")
    login(alice).post("/settings/", _settings_data(alice.agency))  # an older form without them keeps the values
    alice.agency.refresh_from_db()
    assert alice.agency.concentration_warning_share == Decimal("30") and alice.agency.internal_hourly_cost is None
    html = login(alice).get("/settings/").content.decode()
    assert 'id="portfolio-settings"' in html and 'name="concentration_warning_hhi"' in html


@pytest.mark.parametrize("overrides", [{"concentration_warning_share": "0"}, {"concentration_warning_share": "101"},
                                       {"concentration_warning_hhi": "10001"}, {"concentration_warning_hhi": "-5"},
                                       {"internal_hourly_cost": "-1"}, {"concentration_warning_share": "много"}])
def test_portfolio_settings_are_validated_in_place(alice, overrides):
    response = login(alice).post("/settings/", _settings_data(alice.agency, **overrides))
    assert response.status_code == 422
    html = response.content.decode()
    assert "is-invalid" in html or "invalid-feedback" in html
    alice.agency.refresh_from_db()
    assert alice.agency.concentration_warning_share == Decimal("25") and alice.agency.concentration_warning_hhi == 2500
