"""Every date, datetime and time input of every form renders the ISO value a browser's native picker needs.

A Russian-formatted value (`15.11.2026`) in `<input type="date">` shows as empty and is submitted empty,
so saving any unrelated change erased the date (the client's start date, a deal's close date, …)."""
import importlib
import inspect
import pkgutil
from datetime import date, datetime, time

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django_scopes import scope

from mrm.core.forms import IsoDateInput, iso_date_widgets
from tests import factories as f

PACKAGES = ("clients", "proposals", "portal", "mrm")
DAY = date(2026, 11, 15)
MOMENT = datetime(2026, 11, 15, 10, 30)
CLOCK = time(19, 5)
SKIP_MODULES = ("migrations", ".management", ".settings", "wsgi", "asgi")


def _form_classes() -> list[type]:
    found = {}
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if any(part in info.name for part in SKIP_MODULES):
                continue
            module = importlib.import_module(info.name)
            for obj in vars(module).values():
                if (inspect.isclass(obj) and issubclass(obj, forms.BaseForm) and obj.__module__ == info.name
                        and "base_fields" in dir(obj)):
                    found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


def _temporal_fields(form_class) -> dict:
    return {name: fld for name, fld in form_class.base_fields.items()
            if isinstance(fld, (forms.DateField, forms.DateTimeField, forms.TimeField))}


FORMS_WITH_DATES = [c for c in _form_classes() if _temporal_fields(c)]


def _keyword_arguments(form_class) -> set[str]:
    names = set()
    for klass in form_class.__mro__:
        init = vars(klass).get("__init__")
        if init is None:
            continue
        for parameter in inspect.signature(init).parameters.values():
            if parameter.kind == parameter.KEYWORD_ONLY:
                names.add(parameter.name)
    return names


def _arguments(world, form_class) -> dict:
    from clients.models import Client, Contact, CustomField, Deal, Pipeline, PipelineStage
    from proposals.models import BriefTemplate

    agency = world.agency
    client = Client.objects.filter(agency=agency).first()
    users = get_user_model().objects.filter(memberships__agency=agency)
    available = {
        "agency": agency, "client": client, "clients": Client.objects.filter(agency=agency), "owners": users,
        "assignees": users, "deals": Deal.objects.filter(agency=agency),
        "contacts": Contact.objects.filter(agency=agency), "templates": BriefTemplate.objects.filter(agency=agency),
        "plan": None, "template": None, "actors": (), "actions": (), "targets": {},
        "company": client, "contact": Contact.objects.filter(agency=agency).first(), "email": "client@example.com",
        # h-fields: the agency's custom fields (a date one renders ISO like the others)
        "custom_defs": [CustomField(key="renewal", label="Renewal", kind="date")],
        # h-pipelines: the deal form's pipelines and their stages
        "pipelines": list(Pipeline.objects.filter(agency=agency)),
        "stages": PipelineStage.objects.filter(agency=agency).select_related("pipeline"),
    }
    wanted = _keyword_arguments(form_class)
    missing = wanted - set(available)
    assert not missing, f"{form_class.__name__}: teach this test the form's arguments {missing}"
    return {name: available[name] for name in wanted}


def test_the_walk_finds_the_forms_that_lost_dates():
    names = {c.__name__ for c in FORMS_WITH_DATES}
    assert {"ClientForm", "DealForm", "TaskForm", "InteractionForm", "InvoiceForm", "CoverForm"} <= names


@pytest.mark.parametrize("form_class", FORMS_WITH_DATES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_date_input_renders_iso_under_the_russian_locale(alice_world, form_class):
    fields = _temporal_fields(form_class)
    initial = {}
    for name, fld in fields.items():
        if isinstance(fld, forms.DateTimeField):
            initial[name] = timezone.make_aware(MOMENT)
        elif isinstance(fld, forms.DateField):
            initial[name] = DAY
        else:
            initial[name] = CLOCK
    with scope(agency=alice_world.agency), translation.override("ru"), timezone.override("Europe/Moscow"):
        form = form_class(initial=initial, **_arguments(alice_world, form_class))
        for name, fld in fields.items():
            html = str(form[name])
            if form.fields[name].widget.is_hidden:
                continue
            if isinstance(fld, forms.DateTimeField):
                assert 'type="datetime-local"' in html and 'value="2026-11-15T10:30"' in html, html
            elif isinstance(fld, forms.DateField):
                assert 'type="date"' in html and 'value="2026-11-15"' in html, html
            else:
                assert 'type="time"' in html and 'value="19:05"' in html, html
            assert "15.11.2026" not in html


def test_a_russian_bound_edit_keeps_the_date_it_was_given(alice_world):
    """The round trip: what the widget renders is what the field accepts back."""
    from clients.forms import ClientForm

    with scope(agency=alice_world.agency), translation.override("ru"):
        client = f.ClientFactory(agency=alice_world.agency, start_date=DAY, owner=alice_world.am.user)
        rendered = ClientForm(instance=client)["start_date"].value()
        widget_value = rendered if isinstance(rendered, str) else IsoDateInput().format_value(rendered)
        assert widget_value == "2026-11-15"
        assert forms.DateField().clean(widget_value) == DAY


def test_plain_date_widgets_become_iso_widgets_keeping_their_attributes():
    fields = {"when": forms.DateField(widget=forms.DateInput(attrs={"class": "x", "type": "date"})),
              "at": forms.DateTimeField(), "hidden": forms.DateField(widget=forms.HiddenInput)}
    iso_date_widgets(fields)
    assert isinstance(fields["when"].widget, IsoDateInput) and fields["when"].widget.attrs == {"class": "x"}
    assert fields["at"].widget.input_type == "datetime-local"
    assert isinstance(fields["hidden"].widget, forms.HiddenInput)
