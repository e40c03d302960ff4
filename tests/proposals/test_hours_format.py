"""Hours read in the user's number format everywhere they are shown: «18», «18,5», «1 200» on Russian pages,
«18.5», «1,200» on English ones — never the stored «18.0». Number inputs get a plain dot value without
trailing zeros."""
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled

from mrm.core import numbers
from proposals.forms import ServiceForm
from proposals.models import EstimateLine, Service
from proposals.services import documents, drafting, editor
from tests import factories as f
from tests.conftest import login

NBSP = "\u00a0"


def _hours(value) -> str:
    return Template("{% load proposals_tags %}{{ value|hours }}").render(Context({"value": value}))


@pytest.mark.parametrize(("value", "ru", "en"), [
    (Decimal("18.0"), "18", "18"),
    (Decimal("18.5"), "18,5", "18.5"),
    (Decimal("18.50"), "18,5", "18.5"),
    ("22.5", "22,5", "22.5"),
    (7.25, "7,25", "7.25"),
    (40, "40", "40"),
    (Decimal("1200.0"), f"1{NBSP}200", "1,200"),
    (Decimal("12500.5"), f"12{NBSP}500,5", "12,500.5"),
    (Decimal("0.5"), "0,5", "0.5"),
    (Decimal("0"), "0", "0"),
])
def test_the_hours_filter_uses_the_number_format_of_the_language(value, ru, en):
    with translation.override("ru"):
        assert _hours(value) == ru
    with translation.override("en"):
        assert _hours(value) == en


@pytest.mark.parametrize("value", [None, "", "много", "NaN", "Infinity", True])
def test_the_hours_filter_shows_a_dash_for_what_is_not_a_number(value):
    with translation.override("ru"):
        assert _hours(value) == "—"


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("3.0"), "3"), (Decimal("22.50"), "22.5"), ("1200.0", "1200"), (None, ""), ("x", ""),
])
def test_number_inputs_get_a_plain_value_in_any_language(value, expected):
    for language in ("ru", "en"):
        with translation.override(language):
            assert numbers.input_number(value) == expected
            rendered = Template("{% load proposals_tags %}{{ value|input_number }}").render(Context({"value": value}))
            assert rendered == expected


def test_number_text_keeps_stored_decimals_unless_they_are_zero():
    with translation.override("ru"):
        assert numbers.number_text(Decimal("3200.00")) == f"3{NBSP}200"
        assert numbers.number_text(Decimal("3200.50")) == f"3{NBSP}200,50"
        assert numbers.number_text("3200.50", strip_zeros=True) == f"3{NBSP}200,5"
    with translation.override("en"):
        assert numbers.number_text(Decimal("3200.50")) == "3,200.50"


@pytest.fixture
def proposal(alice_world, catalog):
    client = f.ClientFactory(agency=alice_world.agency, name="ООО «Ромашка»", owner=alice_world.am.user)
    with scope(agency=alice_world.agency):
        p = editor.proposal_create(agency=alice_world.agency, actor=alice_world.am.user, client=client,
                                   title="КП для Ромашки")
        s = catalog["services"]
        editor.line_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=p, service=s["smm"],
                        hours=Decimal("22.5"))
        editor.line_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=p, service=s["context"],
                        hours=Decimal("3"))
    return p


def _editor_page(member, proposal, language: str) -> str:
    http = login(member)
    http.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return http.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()


def test_the_editor_shows_hours_in_the_users_format(alice_world, proposal):
    page = _editor_page(alice_world.am, proposal, "ru")
    assert "25,5 ч" in page  # the estimate's total hours, Russian
    assert 'value="22.5"' in page and 'value="3"' in page  # number inputs: a dot, no «3.0»
    assert 'value="3.0"' not in page and "25.5" not in page

    page = _editor_page(alice_world.am, proposal, "en")
    assert "25.5 hours" in page and "25,5" not in page


def test_the_client_document_shows_hours_in_the_readers_format(alice_world, proposal):
    with scope(agency=alice_world.agency):
        snapshot = documents.proposal_snapshot(proposal=proposal)
        ctx = documents.document_context(snapshot=snapshot, for_pdf=False, version=1)
    template = Template('{% include "proposals/_estimate_table.html" %}')
    with translation.override("ru"):
        ru = template.render(Context(ctx))
    with translation.override("en"):
        en = template.render(Context(ctx))
    assert '<td class="num">22,5</td>' in ru and '<td class="num">3</td>' in ru and "3.0" not in ru
    assert '<td class="num">22.5</td>' in en


def test_an_estimate_line_reads_with_localized_hours(alice_world, proposal):
    with scopes_disabled():
        line = EstimateLine.objects.get(proposal=proposal, hours=Decimal("22.5"))
    with translation.override("ru"):
        assert str(line).endswith("· 22,5 ч")
    with translation.override("en"):
        assert str(line).endswith("· 22.5 h")


def test_the_drafters_hours_flag_uses_the_number_format(alice_world, catalog):
    with scopes_disabled():
        service = Service.objects.get(pk=catalog["services"]["smm"].pk)  # Decimal hours, as in a real run
    with translation.override("ru"):
        hours, flag = drafting._hours("0.25", service, drafting.Draft())
    assert hours == Decimal("0.5") and "0,25" in flag and "0,5" in flag and "0.25" not in flag
    with translation.override("en"):
        _hours_en, flag = drafting._hours("12000", service, drafting.Draft())
    assert "12,000" in flag and "210" in flag


def test_the_service_form_shows_hours_without_trailing_zeros(alice_world, catalog):
    service = catalog["services"]["smm"]
    with scope(agency=alice_world.agency):
        html = str(ServiceForm(instance=service, agency=alice_world.agency)["hours_min"])
    assert 'value="40"' in html and "40.0" not in html
