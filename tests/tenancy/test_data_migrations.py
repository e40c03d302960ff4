"""The data migrations of this change: KPI target columns → rows, Membership.client_id → Membership.contact."""
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tenancy", "0002_file_storages_public_private"), ("clients", "0003_import_file_inspection")]
AFTER = [("tenancy", "0004_membership_contact_fk")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())  # leave the schema as the rest of the suite expects


def test_targets_and_client_memberships_move_to_rows_and_contacts(old_apps):
    Agency = old_apps.get_model("tenancy", "Agency")
    Membership = old_apps.get_model("tenancy", "Membership")
    User = old_apps.get_model("accounts", "User")
    Client = old_apps.get_model("clients", "Client")
    Contact = old_apps.get_model("clients", "Contact")
    agency = Agency.objects.create(name="Старое", slug="old", target_nps=Decimal("61"), target_retention=90)
    with_contact = Client._base_manager.create(agency=agency, name="Есть контакт")
    existing = Contact._base_manager.create(agency=agency, client=with_contact, full_name="Ирина",
                                            email="Irina@Client.example", is_primary=True)
    without = Client._base_manager.create(agency=agency, name="Без контакта")
    irina = User.objects.create(email="irina@client.example", full_name="Ирина Павлова")
    oleg = User.objects.create(email="oleg@client.example", full_name="Олег Ким")
    ghost = User.objects.create(email="ghost@client.example", full_name="")
    m_irina = Membership._base_manager.create(agency=agency, user=irina, role="client", client_id=with_contact.pk)
    m_oleg = Membership._base_manager.create(agency=agency, user=oleg, role="client", client_id=without.pk)
    m_ghost = Membership._base_manager.create(agency=agency, user=ghost, role="client", client_id=uuid.uuid4())

    new_apps = _migrate(AFTER)
    KpiTarget = new_apps.get_model("tenancy", "KpiTarget")
    Membership = new_apps.get_model("tenancy", "Membership")
    Contact = new_apps.get_model("clients", "Contact")
    rows = dict(KpiTarget._base_manager.filter(agency_id=agency.pk, user__isnull=True, client__isnull=True)
                .values_list("metric", "value"))
    assert rows == {"retention": 90, "nps": 61, "upsell": 30, "response_hours": 2,
                    "report_quality": Decimal("4.5"), "revenue_growth": 10}
    assert Membership._base_manager.get(pk=m_irina.pk).contact_id == existing.pk  # matched by e-mail
    created = Contact._base_manager.get(pk=Membership._base_manager.get(pk=m_oleg.pk).contact_id)
    assert (created.client_id, created.email, created.full_name, created.is_primary) == (
        without.pk, "oleg@client.example", "Олег Ким", True)
    ghost_after = Membership._base_manager.get(pk=m_ghost.pk)
    assert ghost_after.contact_id is None and not ghost_after.is_active  # its company is gone: no access
