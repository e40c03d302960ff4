import pytest
from django.apps import apps
from django_scopes import ScopeError, scope

from clients.models import Client
from mrm.tenancy.models import Agency
from tests.factories import ClientFactory


def test_every_model_with_an_agency_link_is_scoped():
    unscoped = []
    for model in apps.get_models():
        links = [f for f in model._meta.concrete_fields if getattr(f, "related_model", None) is Agency]
        if links and not hasattr(model._default_manager, "with_scope"):
            unscoped.append(model._meta.label)
    assert unscoped == []


@pytest.mark.django_db
def test_query_outside_a_scope_raises():
    ClientFactory()
    with pytest.raises(ScopeError):
        list(Client.objects.all())
    with pytest.raises(ScopeError):
        Client.objects.filter(name="x").first()


@pytest.mark.django_db
def test_scope_shows_only_its_agency(alice, bob):
    mine = ClientFactory(agency=alice.agency)
    ClientFactory(agency=bob.agency)
    with scope(agency=alice.agency):
        names = set(Client.objects.values_list("name", flat=True))
    assert mine.name in names
    assert all("Bob" not in n for n in names)


@pytest.mark.django_db
def test_anonymous_request_has_no_scope(client):
    # The login page renders without touching tenant data; a tenant query there would raise.
    assert client.get("/accounts/login/").status_code == 200


@pytest.mark.django_db
def test_model_form_fields_resolve_their_queryset_in_the_scope_of_use(alice, bob):
    from django import forms

    from clients.models import Deal

    # Built at import time (no scope): must not raise, must not leak.
    class DealForm(forms.ModelForm):
        class Meta:
            model = Deal
            fields = ["client", "title"]

    mine = ClientFactory(agency=alice.agency)
    theirs = ClientFactory(agency=bob.agency)
    with scope(agency=alice.agency):
        choices = {c.pk for c in DealForm().fields["client"].queryset}
    assert mine.pk in choices and theirs.pk not in choices
    with pytest.raises(ScopeError):
        list(DealForm().fields["client"].queryset)
    with pytest.raises(ScopeError):
        Client.objects.all().count()
