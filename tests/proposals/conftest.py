"""Fixtures of the proposals tests: a small catalog for alice's agency and a fake OpenAI server over HTTP."""
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from tests import factories as f
from tests.fakes.openai_server import FakeOpenAIServer


@pytest.fixture(autouse=True)
def _english(settings):
    """Assert on the source strings: the Russian catalogue is being translated in parallel."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def catalog(alice_world):
    """Three roles and three services (SMM, context ads, strategy) in alice's agency."""
    agency = alice_world.agency
    smm = f.RateRoleFactory(agency=agency, name="SMM-менеджер", hourly_rate=Decimal("2800.00"),
                            cost_rate=Decimal("1300"))
    ppc = f.RateRoleFactory(agency=agency, name="Директолог", hourly_rate=Decimal("3333.33"),
                            cost_rate=Decimal("1500"))
    strategist = f.RateRoleFactory(agency=agency, name="Стратег", hourly_rate=Decimal("6500"), cost_rate=Decimal("3200"))
    services = {
        "smm": f.ServiceFactory(agency=agency, discipline="smm", name="Ведение сообществ", hours_min=40,
                                hours_max=70, roles=[smm, strategist]),
        "context": f.ServiceFactory(agency=agency, discipline="context", name="Настройка Яндекс Директ",
                                    hours_min=16, hours_max=32, roles=[ppc]),
        "strategy": f.ServiceFactory(agency=agency, discipline="strategy", name="Коммуникационная стратегия",
                                     hours_min=24, hours_max=48, roles=[strategist]),
    }
    return {"agency": agency, "roles": {"smm": smm, "ppc": ppc, "strategist": strategist}, "services": services}


@pytest.fixture
def brief(alice_world, catalog):
    client = f.ClientFactory(agency=alice_world.agency, name="ООО «Ромашка»", owner=alice_world.am.user)
    contact = f.ContactFactory(agency=alice_world.agency, client=client, full_name="Ирина Павлова",
                               email="irina@romashka.example", is_primary=True)
    deal = f.DealFactory(agency=alice_world.agency, client=client, stage="brief_received", owner=alice_world.am.user)
    return f.BriefFactory(agency=alice_world.agency, client=client, contact=contact, deal=deal,
                          owner=alice_world.am.user, company_name="ООО «Ромашка»",
                          goals="Нужно больше заявок из поиска и соцсетей", audience="Семьи 25–40 лет",
                          channels=["smm", "context"], budget="300k-1m")


@pytest.fixture(scope="session")
def _fake_openai_server():
    server = FakeOpenAIServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_openai(_fake_openai_server, settings):
    """The fake server, reset, with the app configured to use it (short timeout for the timeout test)."""
    _fake_openai_server.reset()
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = _fake_openai_server.base_url
    settings.OPENAI_MODEL = "fake-model"
    settings.OPENAI_TIMEOUT = 1.0
    yield _fake_openai_server
    _fake_openai_server.reset()


@pytest.fixture
def no_ai(settings):
    settings.OPENAI_API_KEY = ""
    return settings


@pytest.fixture
def in_alice(alice_world):
    with scope(agency=alice_world.agency):
        yield alice_world.agency


def unscoped(fn):
    with scopes_disabled():
        return fn()
