"""The client page's deferred blocks: the page sends a placeholder for each, one request (`clients:blocks`) fills
them all out of band; the same visibility as the page, another agency's client answers 404."""
import pytest
from django.urls import reverse

from clients.sections import _SECTIONS
from tests.conftest import client_page, login
from tests.factories import ClientFactory, InvoiceFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _keys(*, deferred: bool) -> list[str]:
    """The registered blocks (every app has registered by the time the URLconf answered a request)."""
    return sorted(s.key for s in _SECTIONS.values() if s.deferred == deferred)


def test_the_page_holds_placeholders_that_one_request_fills(alice_world):
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    ProjectFactory(client=client, name="Проект из отложенного блока")
    InvoiceFactory(client=client, number="INV-DEFER-1")
    http = login(alice_world.am)
    page = http.get(reverse("clients:detail", args=[client.pk])).content.decode()
    blocks_url = reverse("clients:blocks", args=[client.pk])
    DEFERRED, IMMEDIATE = _keys(deferred=True), _keys(deferred=False)  # noqa: N806
    assert f'hx-get="{blocks_url}" hx-trigger="load" hx-swap="none"' in page
    assert "Проект из отложенного блока" not in page and "INV-DEFER-1" not in page
    assert {"projects", "invoices", "proposals", "nps"} <= set(DEFERRED) and "timeline" in IMMEDIATE
    for key in DEFERRED:  # each deferred block has its place on the page, marked busy until it arrives
        start = page.index(f'id="section-{key}"')
        assert 'aria-busy="true"' in page[start:start + 300], key
    blocks = http.get(blocks_url, HTTP_HX_REQUEST="true").content.decode()
    assert "Проект из отложенного блока" in blocks and "INV-DEFER-1" in blocks
    for key in DEFERRED:
        assert f'<div id="section-{key}" hx-swap-oob="innerHTML">' in blocks, key
    for key in IMMEDIATE:
        assert f'id="section-{key}"' not in blocks, key  # nothing is sent twice


def test_the_blocks_see_what_the_page_sees(alice_world):
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    blocks_url = reverse("clients:blocks", args=[client.pk])
    assert login(alice_world.am2).get(blocks_url).status_code == 404  # not their client: as missing
    assert login(alice_world.specialist).get(blocks_url).status_code == 404  # not on the team
    assert login(alice_world.client_contact).get(blocks_url).status_code in (302, 403, 404)  # a portal login


def test_another_agencys_client_blocks_answer_404(alice_world, bob_world):
    bob_client = ClientFactory(agency=bob_world.agency, owner=bob_world.am.user)
    assert login(alice_world.director).get(reverse("clients:blocks", args=[bob_client.pk])).status_code == 404


def test_the_blocks_cost_the_same_whatever_the_client_holds(alice_world, django_assert_max_num_queries):
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    http = login(alice_world.am)
    url = reverse("clients:blocks", args=[client.pk])
    http.get(url)
    with django_assert_max_num_queries(21):
        http.get(url)
    for i in range(6):
        ProjectFactory(client=client, name=f"Проект {i}")
        InvoiceFactory(client=client)
    with django_assert_max_num_queries(21):
        assert "Проект 5" in http.get(url).content.decode()
    assert "Проект 5" in client_page(http, client.pk)
