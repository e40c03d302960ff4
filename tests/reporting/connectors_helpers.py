"""Fixtures of the connector tests: the three fake APIs (one server per session, reset per test), sources
connected to them, and helpers to run a sync's job in-process as the worker would."""
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import TestCase
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from reporting.models import DailyMetric, DataSource, SourceSync
from reporting.services.connections import credential_save
from tests.conftest import login
from tests.factories import ClientFactory, DataSourceFactory
from tests.fakes.vk_ads_server import FakeVkAds
from tests.fakes.yandex_direct_server import FakeYandexDirect
from tests.fakes.yandex_metrica_server import FakeYandexMetrica


def _server(cls):
    server = cls().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _direct_server():
    yield from _server(FakeYandexDirect)


@pytest.fixture(scope="session")
def _metrica_server():
    yield from _server(FakeYandexMetrica)


@pytest.fixture(scope="session")
def _vk_server():
    yield from _server(FakeVkAds)


@pytest.fixture
def fake_direct(_direct_server, settings):
    _direct_server.reset()
    settings.YANDEX_DIRECT_API_URL = _direct_server.base_url
    yield _direct_server
    _direct_server.reset()


@pytest.fixture
def fake_metrica(_metrica_server, settings):
    _metrica_server.reset()
    settings.YANDEX_METRICA_API_URL = _metrica_server.base_url
    yield _metrica_server
    _metrica_server.reset()


@pytest.fixture
def fake_vk(_vk_server, settings):
    _vk_server.reset()
    settings.VK_ADS_API_URL = _vk_server.base_url
    yield _vk_server
    _vk_server.reset()


def connected(world, kind: str, *, token: str, **extra) -> DataSource:
    client = ClientFactory(agency=world.agency, owner=world.am.user, name=f"Клиент {kind}")
    fields = {k: extra.pop(k) for k in ("accounts", "counters", "campaigns") if k in extra}
    source = DataSourceFactory(agency=world.agency, client=client, kind=kind, name=f"Источник {kind}", **fields)
    with scope(agency=world.agency):
        credential_save(agency=world.agency, actor=world.am.user, source=source, access_token=token, **extra)
    return source


def days(n: int):
    """The last `n` days up to yesterday (a closed period: no partial day)."""
    today = timezone.localdate()
    return today - timedelta(days=n), today - timedelta(days=1)


def run_sync(world, source, *, date_from=None, date_to=None, actor=None) -> SourceSync:
    """Start a sync and run its job in-process (eager Celery after commit), as the worker would."""
    from reporting.services.syncs import sync_start

    with scope(agency=world.agency), TestCase.captureOnCommitCallbacks(execute=True):
        sync = sync_start(agency=world.agency, actor=actor or world.am.user, source=source, date_from=date_from,
                          date_to=date_to)
    return reload(sync)


def reload(obj):
    with scopes_disabled():
        qs = type(obj).objects.all()
        return (qs.select_related("job") if isinstance(obj, SourceSync) else qs).get(pk=obj.pk)


def facts(source) -> list[DailyMetric]:
    with scopes_disabled():
        return list(DailyMetric.objects.filter(source=source).select_related("campaign").order_by("date", "id"))


def http(membership):
    client = login(membership)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
