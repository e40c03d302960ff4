"""The client picker of the deal and task forms: a search box and a hidden id instead of a <select> of every
client; the options come from /clients/pick/ within the member's visibility; the id is still validated."""
import re

import pytest
from django_scopes import scopes_disabled

from clients.models import Client, Deal, Task
from tests.conftest import login
from tests.factories import ClientFactory, DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(alice_world, bob_world):
    w = alice_world
    with scopes_disabled():
        Client.objects.bulk_create([Client(agency=w.agency, owner=w.am.user, name=f"Массовый клиент {i:03}",
                                           status=Client.Status.ACTIVE) for i in range(300)])
    own = ClientFactory(agency=w.agency, owner=w.am.user, name="Пикер Свой", legal_name="ООО «Свой»",
                        website="https://www.pickme.ru/")
    other = ClientFactory(agency=w.agency, owner=w.am2.user, name="Пикер Чужой")
    bob = ClientFactory(agency=bob_world.agency, owner=bob_world.am.user, name="Пикер Боба")
    return own, other, bob


@pytest.mark.parametrize("url", ["/clients/deals/new/", "/clients/tasks/new/"])
def test_form_page_does_not_list_every_client(alice_world, many, url):
    own, _other, _bob = many
    html = login(alice_world.am).get(url).content.decode()
    assert "Массовый клиент" not in html and "<option" not in html.split('id="id_client"')[0][-200:]
    assert 'name="client"' in html and 'type="hidden"' in html and 'hx-get="/clients/pick/"' in html
    assert len(html) < 60_000  # 300 <option>s would add ~30 KB; with 10,000 it was megabytes
    # The preset client is the one rendered: its name in the search box, its id in the hidden input.
    preset = login(alice_world.am).get(f"{url}?client={own.pk}").content.decode()
    assert f'value="{own.pk}"' in preset and 'value="Пикер Свой"' in preset
    assert "Массовый клиент" not in preset


def test_picker_endpoint_returns_up_to_20_visible_clients(alice_world, bob_world, many):
    own, other, bob = many
    am = login(alice_world.am)
    html = am.get("/clients/pick/", {"q": "Пикер"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'data-id="{own.pk}"' in html
    assert f'data-id="{other.pk}"' not in html and f'data-id="{bob.pk}"' not in html
    assert f'data-id="{own.pk}"' in am.get("/clients/pick/", {"q": "ООО «Свой»"}).content.decode()
    assert f'data-id="{own.pk}"' in am.get("/clients/pick/", {"q": "https://pickme.ru/x"}).content.decode()
    capped = am.get("/clients/pick/", {"q": "Массовый"}).content.decode()
    assert len(re.findall(r'data-id="', capped)) == 20 and "data-more" in capped
    assert len(re.findall(r'data-id="', am.get("/clients/pick/").content.decode())) == 20
    director = login(alice_world.director).get("/clients/pick/", {"q": "Пикер"}).content.decode()
    assert f'data-id="{other.pk}"' in director and f'data-id="{bob.pk}"' not in director
    # The other agency's director never gets this agency's clients.
    bob_html = login(bob_world.director).get("/clients/pick/", {"q": "Пикер"}).content.decode()
    assert f'data-id="{bob.pk}"' in bob_html and f'data-id="{own.pk}"' not in bob_html
    assert login(alice_world.client_contact).get("/clients/pick/").status_code in (302, 403, 404)


def test_submitting_an_invisible_client_is_a_form_error(alice_world, bob_world, many):
    own, other, bob = many
    am = login(alice_world.am)
    for client in (other, bob):
        deal = am.post("/clients/deals/new/", {"title": "Чужая сделка", "client": client.pk, "kind": "new",
                                               "stage": "new", "currency": "RUB"})
        assert deal.status_code == 422 and 'aria-invalid="true"' in deal.content.decode()
        task = am.post("/clients/tasks/new/", {"title": "Чужая задача", "kind": "task", "priority": "normal",
                                               "client": client.pk})
        assert task.status_code == 422
    with scopes_disabled():
        assert not Deal.objects.filter(title="Чужая сделка").exists()
        assert not Task.objects.filter(title="Чужая задача").exists()
    ok = am.post("/clients/tasks/new/", {"title": "Своя задача", "kind": "task", "priority": "normal",
                                         "client": own.pk, "assignee": alice_world.am.user.pk})
    assert ok.status_code == 302
    with scopes_disabled():
        assert Task.objects.get(title="Своя задача").client_id == own.pk


def test_task_form_keeps_the_deal_options_on_client_change(alice_world, many):
    own, other, _bob = many
    deal = DealFactory(client=own, title="Сделка пикера")
    am = login(alice_world.am)
    html = am.get("/clients/tasks/new/").content.decode()
    hidden = re.search(r'<input type="hidden" name="client"[^>]*>', html).group(0)
    assert 'hx-get="/clients/tasks/deal-options/"' in hidden and 'hx-trigger="change"' in hidden
    options = am.get("/clients/tasks/deal-options/", {"client": own.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert str(deal.pk) in options
    assert am.get("/clients/tasks/deal-options/", {"client": other.pk}).status_code == 404
