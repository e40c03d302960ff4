"""The demo metrics: 90 days for a few clients of each agency, the same after a second run."""
import pytest
from django_scopes import scope, scopes_disabled

from mrm.core.demo import AGENCIES, seed_agency
from reporting.demo import CLIENTS, DAYS, seed_metrics
from reporting.models import DailyMetric, DataSource
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_seed_metrics_is_repeatable():
    agency, members = seed_agency(AGENCIES[0])
    for n in range(CLIENTS + 1):
        ClientFactory(agency=agency, name=f"Демо {n}")
    with scope(agency=agency):
        seed_metrics(agency=agency, members=members)
        with scopes_disabled():
            first = DailyMetric.objects.count()
            days = DailyMetric.objects.dates("date", "day").count()
        seed_metrics(agency=agency, members=members)
    with scopes_disabled():
        assert DataSource.objects.filter(agency=agency, kind="file").count() == CLIENTS
        assert DailyMetric.objects.count() == first > CLIENTS * DAYS * 3 - 1
    assert days == DAYS
