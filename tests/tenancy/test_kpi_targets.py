"""KPI targets are rows: agency-wide, per AM, per client, per period; the selector picks the most specific."""
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from mrm.accounts.services import signup
from mrm.tenancy.models import KpiTarget
from mrm.tenancy.selectors import kpi_target
from mrm.tenancy.services import kpi_targets_initial
from tests.conftest import login
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db
Q1 = (date(2027, 1, 1), date(2027, 3, 31))


def _row(agency, **kw):
    with scopes_disabled():
        return KpiTarget.objects.create(agency=agency, metric=kw.pop("metric", "retention"), **kw)


def test_the_most_specific_target_wins(alice_world):
    w = alice_world
    agency, am, am2 = w.agency, w.am.user, w.am2.user
    client = ClientFactory(agency=agency, owner=am)
    kpi_targets_initial(agency=agency)
    _row(agency, value=80, valid_from=Q1[0], valid_to=Q1[1])       # the whole agency in Q1
    _row(agency, value=90, user=am)                                 # this AM, always
    _row(agency, value=92, user=am, valid_from=date(2027, 2, 1))    # this AM from February
    _row(agency, value=95, client=client)                           # this client
    _row(agency, value=60, metric="nps", user=am)                   # another metric is not mixed in
    in_q1, later = date(2027, 1, 15), date(2027, 6, 1)
    with scope(agency=agency):
        assert kpi_target(agency=agency, metric="retention", on=later) == Decimal("85")
        assert kpi_target(agency=agency, metric="retention", on=in_q1) == Decimal("80")
        assert kpi_target(agency=agency, metric="retention", on=in_q1, am=am2) == Decimal("80")
        assert kpi_target(agency=agency, metric="retention", on=in_q1, am=am) == Decimal("90")
        assert kpi_target(agency=agency, metric="retention", on=later, am=am) == Decimal("92")
        assert kpi_target(agency=agency, metric="retention", on=later, am=am, client=client) == Decimal("95")
        assert kpi_target(agency=agency, metric="nps", on=later, am=am2) == Decimal("50")


def test_another_agencys_rows_never_count(alice_world, bob_world):
    _row(bob_world.agency, value=10, metric="upsell")
    with scope(agency=alice_world.agency):
        assert kpi_target(agency=alice_world.agency, metric="upsell") == Decimal("30")  # the default


def test_signup_creates_the_agency_wide_defaults():
    _user, agency = signup(email="owner@new.example", password="Pass-word-2026!", full_name="Анна",
                           agency_name="Новое")
    with scopes_disabled():
        rows = dict(KpiTarget.objects.filter(agency=agency).values_list("metric", "value"))
    assert rows == {"retention": 85, "nps": 50, "upsell": 30, "response_hours": 2, "report_quality": Decimal("4.5"),
                    "revenue_growth": 10}


def test_settings_edits_agency_wide_targets_and_overrides(alice_world):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user, name="Зерно")
    http = login(w.director)
    added = http.post(reverse("tenancy:kpi_target_add"), {
        "target-metric": "retention", "target-value": "93", "target-user": w.am.user.pk})
    assert added.status_code == 302
    page = http.get(reverse("tenancy:settings")).content.decode()
    assert "Цели для аккаунт-менеджеров" in page and "93" in page
    both = http.post(reverse("tenancy:kpi_target_add"), {
        "target-metric": "nps", "target-value": "60", "target-user": w.am.user.pk, "target-client": client.pk})
    assert both.status_code == 422 and "не для обоих" in both.content.decode()
    nothing = http.post(reverse("tenancy:kpi_target_add"), {"target-metric": "nps", "target-value": "60"})
    assert nothing.status_code == 422 and "редактируются выше" in nothing.content.decode()
    out_of_range = http.post(reverse("tenancy:kpi_target_add"), {
        "target-metric": "report_quality", "target-value": "9", "target-client": client.pk})
    assert out_of_range.status_code == 422 and "от 1 до 5" in out_of_range.content.decode()
    with scopes_disabled():
        row = KpiTarget.objects.get(agency=w.agency, user=w.am.user)
    assert http.post(reverse("tenancy:kpi_target_remove", args=[row.pk])).status_code == 302
    with scopes_disabled():
        assert not KpiTarget.objects.filter(pk=row.pk).exists()


def test_a_foreign_client_or_am_cannot_be_targeted(alice_world, bob_world):
    foreign = ClientFactory(agency=bob_world.agency)
    response = login(alice_world.director).post(reverse("tenancy:kpi_target_add"), {
        "target-metric": "nps", "target-value": "60", "target-client": foreign.pk})
    assert response.status_code == 422
    response = login(alice_world.director).post(reverse("tenancy:kpi_target_add"), {
        "target-metric": "nps", "target-value": "60", "target-user": bob_world.am.user.pk})
    assert response.status_code == 422
    with scopes_disabled():
        assert not KpiTarget.objects.filter(agency=alice_world.agency, metric="nps").exists()


def test_only_directors_set_targets(alice_world):
    response = login(alice_world.am).post(reverse("tenancy:kpi_target_add"), {
        "target-metric": "nps", "target-value": "60", "target-user": alice_world.am.user.pk})
    assert response.status_code == 403
