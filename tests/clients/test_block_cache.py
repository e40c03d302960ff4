"""clients.block_cache: the client page's blocks and header figures are rendered once and served again until one of
their rows changes, whoever writes it (a save, a queryset update, bulk_create, raw SQL, a delete, a many-to-many
add); what changes with the clock is kept no longer than it stays true; the CSRF token in a served block is the
member's own; every member gets their own render, and another agency's client stays a 404."""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from clients.block_cache import CSRF_PLACEHOLDER, KEY_PREFIX, TTL
from clients.models import Contact, CustomField, Deal, Interaction, Task
from mrm.core.freshness import changes_at, watch
from mrm.core.templatetags.mrm import ago, money
from tests.conftest import client_page, login
from tests.factories import (
    ClientFactory,
    ContactFactory,
    DealFactory,
    InteractionFactory,
    InvoiceFactory,
    OnboardingPlanFactory,
    OnboardingStepFactory,
    ProjectFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db

_TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


def _page(http, client) -> tuple[str, list[str]]:
    """The whole page (with its deferred blocks), CSRF tokens blanked, and the SQL it ran."""
    with CaptureQueriesContext(connection) as ctx:
        html = client_page(http, client.pk)
    return _TOKEN.sub(r"\1T", html), [q["sql"] for q in ctx.captured_queries]


def _reads(sql: list[str], table: str) -> int:
    return sum(f'FROM "{table}"' in s for s in sql)


def test_the_second_view_serves_the_blocks_from_the_cache(alice_world):
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    InteractionFactory(client=client, summary="Созвон про медиаплан")
    TaskFactory(agency=alice_world.agency, client=client, title="Отправить отчёт", assignee=alice_world.am.user)
    DealFactory(client=client, title="Допродажа SEO")
    InvoiceFactory(client=client, number="INV-CACHE-1")
    http = login(alice_world.am)
    first, first_sql = _page(http, client)
    second, second_sql = _page(http, client)
    assert second == first  # the same page, byte for byte (but for the CSRF tokens)
    for text in ("Созвон про медиаплан", "Отправить отчёт", "Допродажа SEO", "INV-CACHE-1"):
        assert text in second
    for table in ("clients_interaction", "clients_task", "clients_deal", "clients_invoice"):
        assert _reads(first_sql, table) >= 1, table
        assert _reads(second_sql, table) == 0, table  # only the fingerprint query touches them (FROM … t)
    assert len(second_sql) < len(first_sql)


def _write(kind: str, w, client) -> str:
    """Change one row the page shows, in the way `kind` says; return the text the next page must show."""
    with scope(agency=w.agency):
        if kind == "interaction logged":
            InteractionFactory(client=client, summary="Новая запись в ленте")
            return "Новая запись в ленте"
        if kind == "task renamed with update()":  # no signal is sent
            Task.objects.filter(client=client).update(title="Переименованная задача")
            return "Переименованная задача"
        if kind == "deal renamed with raw SQL":
            with connection.cursor() as cursor:
                cursor.execute("UPDATE clients_deal SET title = %s WHERE client_id = %s", ["Сделка из SQL", client.pk])
            return "Сделка из SQL"
        if kind == "contacts with bulk_create":
            Contact.objects.bulk_create([Contact(agency=w.agency, client=client, full_name="Пакетный Контакт")])
            return "Пакетный Контакт"
        if kind == "participant added":
            person = ContactFactory(client=client, full_name="Участник Встречи")
            Interaction.objects.get(client=client).contacts.add(person)
            return "Участник Встречи"
        if kind == "assignee renamed":  # a user belongs to no agency: its membership brings it in
            w.am2.user.full_name = "Переименованный Исполнитель"
            w.am2.user.save(update_fields=["full_name"])
            return "Переименованный Исполнитель"
        if kind == "onboarding step with update()":
            from clients.models import OnboardingStep
            OnboardingStep.objects.filter(plan__client=client).update(title="Шаг после update")
            return "Шаг после update"
        if kind == "deal deleted":
            Deal.objects.filter(client=client).delete()
            return "С этим клиентом сделок нет"
        if kind == "project added":  # a deferred block
            ProjectFactory(client=client, name="Проект после кэша")
            return "Проект после кэша"
        if kind == "custom value with update()":  # the client's own row, shown by the custom fields block
            type(client).objects.filter(pk=client.pk).update(custom={"tier": "Золотой уровень"})
            return "Золотой уровень"
        if kind == "open deal amount with update()":  # the header figures
            Deal.objects.filter(client=client).update(amount=777_321, stage="proposal", currency=w.agency.currency)
            return money(777_321, w.agency.currency)
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", [
    "interaction logged", "task renamed with update()", "deal renamed with raw SQL", "contacts with bulk_create",
    "participant added", "assignee renamed", "onboarding step with update()", "deal deleted", "project added",
    "custom value with update()", "open deal amount with update()",
])
def test_every_kind_of_write_shows_on_the_next_view(alice_world, kind):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    InteractionFactory(client=client, summary="Первая запись")
    TaskFactory(agency=w.agency, client=client, title="Задача", assignee=w.am2.user)
    with scope(agency=w.agency):
        CustomField.objects.create(agency=w.agency, entity="client", key="tier", label="Уровень", kind="text")
    DealFactory(client=client, title="Сделка", stage="won", amount=1000)
    plan = OnboardingPlanFactory(client=client)
    OnboardingStepFactory(plan=plan, title="Шаг онбординга")
    http = login(w.director if kind == "assignee renamed" else w.am)
    before, _sql = _page(http, client)
    assert _page(http, client)[0] == before  # served from the cache now
    expected = _write(kind, w, client)
    after, _sql = _page(http, client)
    assert expected in after and expected not in before


def test_a_write_to_another_client_keeps_this_clients_blocks(alice_world):
    w = alice_world
    client, other = (ClientFactory(agency=w.agency, owner=w.am.user) for _ in range(2))
    InteractionFactory(client=client, summary="Своя запись")
    http = login(w.am)
    _page(http, client)
    InteractionFactory(client=other, summary="Чужая запись")
    _html, sql = _page(http, client)
    assert _reads(sql, "clients_interaction") == 0


def test_each_member_gets_their_own_render_and_visibility_is_checked_first(alice_world, bob_world):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    InteractionFactory(client=client, summary="Только для своих", author=w.am.user)
    am_page, _sql = _page(login(w.am), client)
    director_page, sql = _page(login(w.director), client)
    assert _reads(sql, "clients_interaction") >= 1  # not the AM's render
    assert "Только для своих" in director_page
    url = reverse("clients:detail", args=[client.pk])
    assert login(w.am2).get(url).status_code == 404  # the second AM does not see the client, cached or not
    assert login(bob_world.director).get(url).status_code == 404  # nor does another agency
    assert login(bob_world.director).get(reverse("clients:blocks", args=[client.pk])).status_code == 404


def test_a_served_block_carries_the_members_own_valid_csrf_token(alice_world):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    task = TaskFactory(agency=w.agency, client=client, title="Закрыть из кэша", assignee=w.am.user)
    login(w.am).get(reverse("clients:detail", args=[client.pk]))  # another session fills the cache
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(w.am.user, backend="mrm.accounts.backends.EmailBackend")
    html = http.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert CSRF_PLACEHOLDER not in html
    start = html.index(f'id="task-{task.pk}"')
    token = re.search(r'csrfmiddlewaretoken" value="([^"]+)"', html[start:]).group(1)
    response = http.post(reverse("clients:task_toggle", args=[task.pk]), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    with scopes_disabled():
        task.refresh_from_db()
    assert task.done_at is not None


def _ttls(pattern: str) -> list[int]:
    from django.core.cache import caches

    backend = caches["default"]
    redis = backend._cache.get_client(write=False)
    return [redis.ttl(key) for key in redis.scan_iter(match=backend.make_key(pattern))]


def test_a_block_that_changes_with_the_clock_is_kept_no_longer_than_it_is_true(alice_world):
    w = alice_world
    soon = ClientFactory(agency=w.agency, owner=w.am.user)
    TaskFactory(agency=w.agency, client=soon, title="Скоро срок", assignee=w.am.user, due_at=timezone.now() + timedelta(minutes=2))
    calm = ClientFactory(agency=w.agency, owner=w.am.user)
    TaskFactory(agency=w.agency, client=calm, title="Без срока", assignee=w.am.user, due_at=None)
    http = login(w.am)
    client_page(http, soon.pk)
    client_page(http, calm.pk)
    assert all(0 < ttl <= 120 for ttl in _ttls(f"{KEY_PREFIX}:tasks:{soon.pk}:*")), "turns overdue in 2 minutes"
    assert all(TTL - 60 < ttl <= TTL for ttl in _ttls(f"{KEY_PREFIX}:tasks:{calm.pk}:*"))
    assert _ttls(f"{KEY_PREFIX}:tasks:{soon.pk}:*") and _ttls(f"{KEY_PREFIX}:tasks:{calm.pk}:*")


def test_the_log_form_no_longer_freezes_the_time_it_was_drawn_at(alice_world):
    """A cached form must not carry "now": an empty "When" is the moment the entry is logged."""
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    html = login(w.am).get(reverse("clients:detail", args=[client.pk])).content.decode()
    field = re.search(r'<input[^>]*name="occurred_at"[^>]*>', html).group(0)
    assert 'value="' not in field


def test_ago_tells_when_its_text_changes():
    now = timezone.now()
    with watch() as horizon:
        ago(now - timedelta(seconds=90))
    assert 25 <= horizon.seconds_left(cap=TTL) <= 30
    with watch() as horizon:
        ago(now - timedelta(days=3, hours=1))
        changes_at(now + timedelta(hours=5))
    assert 5 * 3600 - 5 <= horizon.seconds_left(cap=10 ** 6) <= 5 * 3600
    with watch() as horizon:
        pass
    assert horizon.seconds_left(cap=TTL) == TTL
    changes_at(now)  # outside watch(): nothing to note, nothing fails


def test_a_new_release_of_a_template_or_its_code_starts_with_new_keys(settings, tmp_path):
    """What a deploy changes (a template, a context function, a translation) is part of every key: no HTML of
    the previous release is served after it."""
    import os

    from clients import block_cache

    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "block.html"
    template.write_text("<div>v1</div>")
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "ignored.py").write_text("")
    settings.BASE_DIR = tmp_path
    try:
        block_cache.code_version.cache_clear()
        first = block_cache.code_version()
        block_cache.code_version.cache_clear()
        assert block_cache.code_version() == first  # stable while nothing changes
        (tmp_path / "var" / "ignored.py").write_text("x = 1")
        block_cache.code_version.cache_clear()
        assert block_cache.code_version() == first  # the data directory is not code
        template.write_text("<div>v2, longer</div>")
        os.utime(template, ns=(1, 1))
        block_cache.code_version.cache_clear()
        assert block_cache.code_version() != first
    finally:
        block_cache.code_version.cache_clear()
