"""Global search across clients, contacts and deals, within the member's visibility."""
import pytest

from tests.conftest import login
from tests.factories import ClientFactory, ContactFactory, DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source strings


@pytest.fixture
def data(alice_world, bob_world):
    w = alice_world
    own = ClientFactory(agency=w.agency, owner=w.am.user, name="Лотос Ритейл")
    other = ClientFactory(agency=w.agency, owner=w.am2.user, name="Лотос Медиа")
    ContactFactory(client=own, full_name="Лотова Анна")
    ContactFactory(client=other, full_name="Лотов Борис")
    DealFactory(client=own, title="Лотос: контекст")
    DealFactory(client=other, title="Лотос: SEO")
    ClientFactory(agency=bob_world.agency, name="Лотос Боба")
    return own, other


def test_search_dropdown_is_grouped_and_respects_visibility(alice_world, data):
    http = login(alice_world.am)
    response = http.get("/clients/search/?q=Лот", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Лотос Ритейл" in html and "Лотова Анна" in html and "Лотос: контекст" in html
    assert "Лотос Медиа" not in html and "Лотов Борис" not in html and "Лотос: SEO" not in html
    assert "Лотос Боба" not in html
    assert html.index("Clients") < html.index("Contacts") < html.index("Deals")


def test_search_full_page_works_without_js(alice_world, data):
    director = login(alice_world.director)
    html = director.get("/clients/search/?q=Лотос").content.decode()
    assert "<html" in html and "Лотос Ритейл" in html and "Лотос Медиа" in html and "Лотос Боба" not in html
    assert "Type at least two characters" in director.get("/clients/search/?q=Л").content.decode()
    assert "Nothing found" in director.get("/clients/search/?q=zzzzzz").content.decode()


def test_search_query_count_is_constant(alice_world, django_assert_max_num_queries):
    for i in range(60):
        c = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, name=f"Альфа {i}")
        ContactFactory(client=c, full_name=f"Альфа Контакт {i}")
        DealFactory(client=c, title=f"Альфа сделка {i}")
    http = login(alice_world.am)
    with django_assert_max_num_queries(12):
        assert http.get("/clients/search/?q=Альфа").status_code == 200


# --- documents, tasks, website domains (AM-depth #13) --------------------------------------------

from clients.selectors.search import website_host  # noqa: E402
from tests.factories import BriefFactory, InvoiceFactory, ProposalFactory, TaskFactory  # noqa: E402


@pytest.fixture
def docs(alice_world, bob_world):
    w = alice_world
    own = ClientFactory(agency=w.agency, owner=w.am.user, name="Веломир", website="https://www.velomir.ru/")
    other = ClientFactory(agency=w.agency, owner=w.am2.user, name="Чужой клиент", website="https://notvelomir.ru")
    bob = ClientFactory(agency=bob_world.agency, owner=bob_world.am.user, name="Бобов клиент",
                        website="https://velomir.ru")
    made = {
        "own_kp": ProposalFactory(client=own, title="Квазар: продвижение"),
        "other_kp": ProposalFactory(client=other, title="Квазар: SEO"),
        "bob_kp": ProposalFactory(client=bob, title="Квазар: Боб"),
        "own_brief": BriefFactory(client=own, company_name="Ромашка-Квазар", contact_name="Ирина"),
        "other_brief": BriefFactory(client=other, company_name="Лилия-Квазар", contact_name="Олег"),
        "own_invoice": InvoiceFactory(client=own, number="KV-2026-001"),
        "other_invoice": InvoiceFactory(client=other, number="KV-2026-002"),
        "own_task": TaskFactory(agency=w.agency, client=own, title="Позвонить про Квазар"),
        "other_task": TaskFactory(agency=w.agency, client=other, assignee=w.am2.user, title="Квазар: отчёт"),
        "bob_task": TaskFactory(agency=bob_world.agency, client=bob, title="Квазар у Боба"),
    }
    return own, other, bob, made


def _dropdown(member, q):
    response = login(member).get("/clients/search/", {"q": q}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_each_kind_is_found_by_its_own_fields(alice_world, docs):
    own, _other, _bob, made = docs
    director = alice_world.director
    assert f'href="/proposals/{made["own_kp"].pk}/"' in _dropdown(director, "Квазар: прод")
    assert f'href="/proposals/{made["own_kp"].pk}/"' in _dropdown(director, "Веломир")  # by client name
    assert f'href="/proposals/briefs/{made["own_brief"].pk}/"' in _dropdown(director, "Ромашка")
    assert f'href="/proposals/briefs/{made["own_brief"].pk}/"' in _dropdown(director, "Ирина")
    assert f'/invoices/{made["own_invoice"].pk}/edit/' in _dropdown(director, "2026-001")
    assert f'href="/clients/tasks/{made["own_task"].pk}/edit/"' in _dropdown(director, "про Квазар")


def test_am_sees_only_their_clients_documents_and_never_another_agencys(alice_world, docs):
    _own, _other, _bob, made = docs
    html = _dropdown(alice_world.am, "Квазар")
    assert str(made["own_kp"].pk) in html and str(made["own_brief"].pk) in html
    assert str(made["own_task"].pk) in html
    for hidden in ("other_kp", "bob_kp", "other_brief", "other_task", "bob_task"):
        assert str(made[hidden].pk) not in html, hidden
    invoices = _dropdown(alice_world.am, "KV-2026")
    assert str(made["own_invoice"].pk) in invoices and str(made["other_invoice"].pk) not in invoices
    # The director of the agency sees both of its AMs' documents, still none of the other agency's.
    html = _dropdown(alice_world.director, "Квазар")
    assert str(made["other_kp"].pk) in html and str(made["bob_kp"].pk) not in html
    assert str(made["bob_task"].pk) not in _dropdown(alice_world.director, "Боба")


def test_specialist_does_not_find_invoices(alice_world, docs):
    own, _other, _bob, made = docs
    own.team.add(alice_world.specialist.user)
    html = _dropdown(alice_world.specialist, "KV-2026")
    assert str(made["own_invoice"].pk) not in html and 'id="search-group-invoices"' not in html
    assert str(made["own_kp"].pk) in _dropdown(alice_world.specialist, "Квазар")


@pytest.mark.parametrize("query", ["velomir.ru", "www.velomir.ru", "https://www.velomir.ru/x?utm=1", "VELOMIR.RU"])
def test_website_domain_finds_the_client(alice_world, docs, query):
    own, other, bob, _made = docs
    html = _dropdown(alice_world.director, query)
    assert f'href="/clients/{own.pk}/"' in html
    assert f'href="/clients/{other.pk}/"' not in html  # notvelomir.ru is another site
    assert f'href="/clients/{bob.pk}/"' not in html  # the other agency's client with that very site


def test_website_host_parsing():
    assert website_host("https://www.velomir.ru/x") == "velomir.ru"
    assert website_host("shop.velomir.ru") == "shop.velomir.ru"
    assert website_host("Лотос Ритейл") == "" and website_host("INV-1") == "" and website_host("a.b c") == ""


def test_groups_are_capped_with_counts_and_a_show_all_link(alice_world):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user, name="Орбита")
    for i in range(8):
        ProposalFactory(client=client, title=f"Гелиос {i}")
        TaskFactory(agency=w.agency, client=client, title=f"Гелиос задача {i}")
    html = _dropdown(w.am, "Гелиос")
    proposals = html[html.index('id="search-group-proposals"'):html.index('id="search-group-tasks"')]
    assert proposals.count('data-kind="proposal"') == 5 and 'data-count="8"' in proposals
    assert 'data-more="proposals" href="/proposals/?q=%D0%93%D0%B5%D0%BB%D0%B8%D0%BE%D1%81"' in proposals
    tasks = html[html.index('id="search-group-tasks"'):]
    assert tasks.count('data-kind="task"') == 5 and 'data-count="8"' in tasks and 'data-more="tasks"' in tasks
    assert html.index('id="search-group-proposals"') < html.index('id="search-group-tasks"')
    page = login(w.am).get("/clients/search/", {"q": "Гелиос"}).content.decode()
    assert page.count('data-kind="proposal"') == 8  # the full page lists more than the dropdown


def test_every_group_costs_one_query(alice_world, django_assert_max_num_queries):
    w = alice_world
    for i in range(30):
        c = ClientFactory(agency=w.agency, owner=w.am.user, name=f"Сигма {i}", website=f"https://sigma{i}.ru")
        ContactFactory(client=c, full_name=f"Сигма Контакт {i}")
        DealFactory(client=c, title=f"Сигма сделка {i}")
        ProposalFactory(client=c, title=f"Сигма КП {i}")
        BriefFactory(client=c, company_name=f"Сигма {i}")
        InvoiceFactory(client=c, number=f"Сигма-{i}")
        TaskFactory(agency=w.agency, client=c, title=f"Сигма задача {i}")
    http = login(w.am)
    with django_assert_max_num_queries(1 + 7 + 6):  # the counts, seven groups + session, user, membership, agency…
        html = http.get("/clients/search/", {"q": "Сигма"}, HTTP_HX_REQUEST="true").content.decode()
    assert html.count('class="mrm-search-group"') == 7
    # A word only contacts match: the counts and the contacts, not seven queries.
    with django_assert_max_num_queries(1 + 1 + 6):
        html = http.get("/clients/search/", {"q": "Контакт 2"}, HTTP_HX_REQUEST="true").content.decode()
    assert html.count('class="mrm-search-group"') == 1 and "Сигма Контакт 2" in html
    with django_assert_max_num_queries(1 + 6):
        html = http.get("/clients/search/", {"q": "Никто-никогда"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'class="mrm-search-group"' not in html


@pytest.mark.skipif(__import__("django.db").db.connection.vendor != "postgresql",
                    reason="trigram indexes are PostgreSQL-only")
def test_new_search_columns_have_trigram_indexes():
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"])
        found = dict(cursor.fetchall())
    for name in ("proposals_proposal_title_trgm", "proposals_brief_company_name_trgm",
                 "proposals_brief_contact_name_trgm", "clients_task_title_trgm"):
        assert name in found and "gin_trgm_ops" in found[name]


def test_result_rows_read_only_the_columns_they_show(alice_world):
    """A group's rows read what the row shows, through the one relation it names (`SHOWN`): not the client's notes
    or custom JSON, not the agency or the owner (`select_related()` without names would join every key)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user, name="Омега")
    ContactFactory(client=client, full_name="Омега Контакт")
    DealFactory(client=client, title="Омега сделка")
    with CaptureQueriesContext(connection) as ctx:
        html = login(w.am).get("/clients/search/", {"q": "Омега"}).content.decode()
    rows = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "clients_')]
    assert len(rows) == 3 and all('"tenancy_agency"' not in sql and '"notes"' not in sql for sql in rows)
    assert f'href="/clients/{client.pk}/"' in html and f'href="/clients/{client.pk}/#contact-' in html
    assert "Омега сделка" in html and client.get_status_display() in html
