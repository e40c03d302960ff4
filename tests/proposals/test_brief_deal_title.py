"""Deals opened by briefs get one name, whatever way the brief came in and whatever language the sender used."""
import pytest
from django.utils import translation
from django_scopes import scope

from proposals import crm
from proposals.services.briefs import brief_submit
from tests import factories as f

pytestmark = pytest.mark.django_db


def _data(company, goals, channels):
    return {"company_name": company, "contact_name": "Ирина", "contact_email": f"{company}@client.example",
            "goals": goals, "channels": channels}


def test_every_brief_deal_is_named_by_one_function(alice_world, settings):
    settings.LANGUAGE_CODE = "ru"
    agency = alice_world.agency
    template = f.BriefTemplateFactory(agency=agency, name="Запуск SMM")
    with scope(agency=agency):
        with translation.override("en"):  # a visitor of the public form with an English browser
            public = brief_submit(agency=agency, actor=None, data=_data("Ромашка", "Больше заявок\nи отзывов",
                                                                        ["context", "analytics"]))
        with translation.override("ru"):  # an AM in the app
            internal = brief_submit(agency=agency, actor=alice_world.am.user,
                                    data=_data("Лютик", "Очень длинная первая строка целей клиента", []))
            typed = brief_submit(agency=agency, actor=alice_world.am.user, template=template,
                                 data=_data("Василёк", "Нужен SMM", ["smm"]))
    with translation.override("en"):
        expected_public = crm.brief_deal_title(company_name="Ромашка", channels=["context", "analytics"])
    with translation.override("ru"):
        assert expected_public == crm.brief_deal_title(company_name="Ромашка", channels=["context", "analytics"])
    assert public.deal.title == expected_public and "Контекстная реклама, Аналитика" in expected_public
    assert internal.deal.title == crm.brief_deal_title(company_name="Лютик")
    assert "Очень длинная" not in internal.deal.title  # never the first line of the client's goals
    assert typed.deal.title == crm.brief_deal_title(company_name="Василёк", template=template)
    assert typed.deal.title.endswith("Василёк · Запуск SMM")

def test_the_name_is_in_the_agency_language_not_the_senders(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("ru"):
        assert crm.brief_deal_title(company_name="Acme", channels=["smm"]) == "Brief: Acme · SMM"
    assert crm.brief_deal_title(company_name="", channels=[]) == "Brief: new client"
