"""Staff selectors refuse a client membership outright (mrm.tenancy.fences): one case per staff selector of
clients/selectors, projects/selectors*.py (and proposals' selectors, which build on client_list). Each case also
runs for the director, so the refusal is the fence and not a wrong argument."""
import pytest
from django.db.models import QuerySet
from django_scopes import scope

from clients.models import Client, Pipeline
from clients.selectors import (
    client_lookups,
    companies,
    contacts,
    deal_page,
    deals,
    documents,
    importing,
    kam,
    search,
    timeline,
    today,
)
from clients.selectors import tasks as crm_tasks
from mrm.tenancy.fences import ClientMembershipRefused
from projects import selectors as pj
from projects import selectors_shell, selectors_time, selectors_work
from projects.alerts import selectors as alerts
from proposals import selectors as kp
from tests import factories as f

pytestmark = pytest.mark.django_db


def _objects(world):
    company = world.client_contact.contact.client
    deal = f.DealFactory(agency=world.agency, client=company)
    project = f.ProjectFactory(agency=world.agency, client=company)
    return {
        "company": company, "deal": deal, "project": project,
        "contact": world.client_contact.contact,
        "invoice": f.InvoiceFactory(agency=world.agency, client=company),
        "import": f.ImportFileFactory(agency=world.agency),
        "task": f.TaskFactory(agency=world.agency),
        "interaction": f.InteractionFactory(agency=world.agency, client=company),
        "entry": f.TimeEntryFactory(project=project),
        "time_off": f.TimeOffFactory(agency=world.agency),
        "brief": f.BriefFactory(agency=world.agency, client=company),
        "proposal": f.ProposalFactory(agency=world.agency, client=company),
    }


# (name, call(agency, membership, objects))
CASES = [
    ("client_visibility_q", lambda a, m, o: companies.client_visibility_q(membership=m)),
    ("client_list", lambda a, m, o: companies.client_list(agency=a, membership=m)),
    ("client_get", lambda a, m, o: companies.client_get(agency=a, membership=m, client_id=o["company"].pk)),
    ("client_duplicates", lambda a, m, o: client_lookups.client_duplicates(agency=a, membership=m, name="Клиент")),
    ("contact_list", lambda a, m, o: contacts.contact_list(agency=a, membership=m)),
    ("contact_get", lambda a, m, o: contacts.contact_get(agency=a, membership=m, contact_id=o["contact"].pk)),
    ("deal_task_list", lambda a, m, o: deal_page.deal_task_list(agency=a, membership=m, deal=o["deal"])),
    ("deal_interaction_list", lambda a, m, o: deal_page.deal_interaction_list(agency=a, membership=m,
                                                                              deal=o["deal"])),
    ("deal_invoice_list", lambda a, m, o: deal_page.deal_invoice_list(agency=a, membership=m, deal=o["deal"])),
    ("visible_to", lambda a, m, o: deals.visible_to(Client.objects.filter(agency=a), agency=a, membership=m,
                                                    field_name="pk")),
    ("deal_list", lambda a, m, o: deals.deal_list(agency=a, membership=m)),
    ("deal_get", lambda a, m, o: deals.deal_get(agency=a, membership=m, deal_id=o["deal"].pk)),
    ("deal_board_cards", lambda a, m, o: deals.deal_board_cards(agency=a, membership=m, filters={},
                                                                stage=o["deal"].pipeline_stage)),
    ("deal_board_column", lambda a, m, o: deals.deal_board_column(agency=a, membership=m, filters={},
                                                                  stage=o["deal"].pipeline_stage, offset=0)),
    ("deal_board", lambda a, m, o: deals.deal_board(agency=a, membership=m, filters={}, pipeline=Pipeline(
        pk=o["deal"].pipeline_stage.pipeline_id, agency_id=a.pk))),
    ("invoice_list", lambda a, m, o: documents.invoice_list(agency=a, membership=m)),
    ("invoice_get", lambda a, m, o: documents.invoice_get(agency=a, membership=m, invoice_id=o["invoice"].pk)),
    ("import_file_list", lambda a, m, o: importing.import_file_list(agency=a, membership=m)),
    ("import_file_get", lambda a, m, o: importing.import_file_get(agency=a, membership=m,
                                                                  import_id=o["import"].pk)),
    ("portfolio_grid", lambda a, m, o: kam.portfolio_grid(agency=a, membership=m)),
    ("global_search", lambda a, m, o: search.global_search(agency=a, membership=m, query="Клиент")),
    ("client_pick", lambda a, m, o: search.client_pick(agency=a, membership=m, query="")),
    ("crm task_list", lambda a, m, o: crm_tasks.task_list(agency=a, membership=m)),
    ("crm task_get", lambda a, m, o: crm_tasks.task_get(agency=a, membership=m, task_id=o["task"].pk)),
    ("client_open_tasks", lambda a, m, o: crm_tasks.client_open_tasks(agency=a, membership=m, client=o["company"])),
    ("interaction_list", lambda a, m, o: timeline.interaction_list(agency=a, membership=m)),
    ("interaction_get", lambda a, m, o: timeline.interaction_get(agency=a, membership=m,
                                                                 interaction_id=o["interaction"].pk)),
    ("today_tasks", lambda a, m, o: today.today_tasks(agency=a, membership=m, user=m.user)),
    ("clients_without_contact", lambda a, m, o: today.clients_without_contact(agency=a, membership=m)),
    ("unanswered_messages", lambda a, m, o: today.unanswered_messages(agency=a, membership=m)),
    ("project_visibility_q", lambda a, m, o: pj.project_visibility_q(membership=m)),
    ("project_list", lambda a, m, o: pj.project_list(agency=a, membership=m)),
    ("project_get", lambda a, m, o: pj.project_get(agency=a, membership=m, project_id=o["project"].pk)),
    ("project_task_list", lambda a, m, o: pj.project_task_list(agency=a, membership=m)),
    ("projects_for", lambda a, m, o: selectors_shell.projects_for(agency=a, membership=m, client=o["company"])),
    ("project_for_proposal", lambda a, m, o: selectors_shell.project_for_proposal(agency=a, membership=m,
                                                                                  proposal=o["proposal"])),
    ("my_task_list", lambda a, m, o: selectors_work.my_task_list(agency=a, membership=m)),
    ("time_entry_list", lambda a, m, o: selectors_time.time_entry_list(agency=a, membership=m)),
    ("time_entry_get", lambda a, m, o: selectors_time.time_entry_get(agency=a, membership=m,
                                                                     entry_id=o["entry"].pk)),
    ("time_off_list", lambda a, m, o: selectors_time.time_off_list(agency=a, membership=m)),
    ("time_off_get", lambda a, m, o: selectors_time.time_off_get(agency=a, membership=m,
                                                                 time_off_id=o["time_off"].pk)),
    ("alert_list", lambda a, m, o: alerts.alert_list(agency=a, membership=m)),
    ("open_alert_count", lambda a, m, o: alerts.open_alert_count(agency=a, membership=m)),
    ("open_alert_badge", lambda a, m, o: alerts.open_alert_badge(agency=a, membership=m)),
    ("brief_list", lambda a, m, o: kp.brief_list(agency=a, membership=m)),
    ("brief_get", lambda a, m, o: kp.brief_get(agency=a, membership=m, brief_id=o["brief"].pk)),
    ("proposal_list", lambda a, m, o: kp.proposal_list(agency=a, membership=m)),
    ("proposal_get", lambda a, m, o: kp.proposal_get(agency=a, membership=m, proposal_id=o["proposal"].pk)),
    ("proposals_for_deal", lambda a, m, o: kp.proposals_for_deal(agency=a, membership=m, deal=o["deal"])),
    ("briefs_for_deal", lambda a, m, o: kp.briefs_for_deal(agency=a, membership=m, deal=o["deal"])),
    ("proposal_search", lambda a, m, o: kp.proposal_search(agency=a, membership=m, query="КП")),
    ("brief_search", lambda a, m, o: kp.brief_search(agency=a, membership=m, query="Клиент")),
]


def _evaluate(result):
    return list(result) if isinstance(result, QuerySet) else result


@pytest.mark.parametrize(("name", "call"), CASES, ids=[name for name, _ in CASES])
def test_staff_selector_refuses_a_client_membership(alice_world, name, call):
    with scope(agency=alice_world.agency):
        objects = _objects(alice_world)
        _evaluate(call(alice_world.agency, alice_world.director, objects))  # staff: reads fine
        with pytest.raises(ClientMembershipRefused):
            _evaluate(call(alice_world.agency, alice_world.client_contact, objects))


def test_every_staff_selector_taking_a_membership_has_a_case():
    """A new staff selector that takes a membership must refuse client logins and be listed above."""
    import inspect

    modules = [companies, client_lookups, contacts, deal_page, deals, documents, importing, kam, search, crm_tasks,
               timeline, today, pj, selectors_shell, selectors_time, selectors_work, alerts]
    covered = {name.split(" ")[-1] for name, _ in CASES}
    covered.add("can_manage_project")  # a yes/no about one project, not a read (False for a client login)
    missing = []
    for module in modules:
        for fname, func in inspect.getmembers(module, inspect.isfunction):
            if func.__module__ != module.__name__ or fname.startswith("_"):
                continue
            if "membership" in inspect.signature(func).parameters and fname not in covered:
                missing.append(f"{module.__name__}.{fname}")
    assert not missing, missing
