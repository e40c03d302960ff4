"""Reporting fixtures: the local fake OpenAI server (the one the proposals tests use) for report commentary."""
import pytest

from tests.fakes.openai_server import FakeOpenAIServer


@pytest.fixture(scope="session")
def _reports_openai_server():
    server = FakeOpenAIServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_openai(_reports_openai_server, settings):
    _reports_openai_server.reset()
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = _reports_openai_server.base_url
    settings.OPENAI_MODEL = "fake-model"
    settings.OPENAI_TIMEOUT = 2.0
    yield _reports_openai_server
    _reports_openai_server.reset()


# Connectors (h-connectors): the fake Yandex Direct, Metrica and VK Ads servers.
from .connectors_helpers import (  # noqa: E402,F401
    _direct_server,
    _metrica_server,
    _vk_server,
    fake_direct,
    fake_metrica,
    fake_vk,
)
