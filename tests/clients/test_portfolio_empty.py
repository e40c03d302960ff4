"""The portfolio's "not scored" card never contradicts itself: no «Not scored yet 0» beside «Every account
is scored», and with no clients at all it says what to do instead of claiming everything is scored."""
import pytest
from django_scopes import scopes_disabled

from clients.models import Client
from tests.conftest import login
from tests.factories import AccountPlanFactory, ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _card(page: str) -> str:
    return page[page.index('id="portfolio-unscored"'):]  # the last card of the page


def test_all_scored_shows_only_the_success_state(alice_world):
    w = alice_world
    with scopes_disabled():
        for client in Client.objects.filter(agency=w.agency):
            AccountPlanFactory(agency=w.agency, client=client, quadrant="strategic")
    star = ClientFactory(agency=w.agency, owner=w.am.user, name="Звезда")
    AccountPlanFactory(agency=w.agency, client=star, quadrant="star")
    card = _card(login(w.am).get("/clients/portfolio/").content.decode())
    assert "Every account is scored" in card
    assert "Not scored yet" not in card


def test_some_unscored_shows_the_count_and_the_list(alice_world):
    w = alice_world
    ClientFactory(agency=w.agency, owner=w.am.user, name="Без оценки")
    card = _card(login(w.am).get("/clients/portfolio/").content.decode())
    assert "Not scored yet" in card and "Без оценки" in card and "Every account is scored" not in card


def test_no_clients_at_all_says_what_to_do(alice_world):
    card = _card(login(alice_world.am2).get("/clients/portfolio/").content.decode())  # am2 has no clients
    assert "No clients to score yet" in card and 'href="/clients/new/"' in card
    assert "Every account is scored" not in card and "Not scored yet" not in card
