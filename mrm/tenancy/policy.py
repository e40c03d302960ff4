"""Who may do what: the one table of actions → roles.

HTML views (`@member_required("client.edit")`), the API (`PolicyPermission` with a viewset's
`policy_actions`), the Today checklist and the README's "Roles" section all read this table, so a
role can never do through the API what its pages refuse (or the other way round).

The table answers "may this role do this kind of thing at all". Which objects a member sees — an
account manager their own clients and their teams', a specialist the clients they are on, a client
contact their own company — is decided by the selectors, the same ones for pages and the API.
"""
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import Membership, Role

DIRECTOR, AM, SPECIALIST, CLIENT = Role.DIRECTOR, Role.AM, Role.SPECIALIST, Role.CLIENT
STAFF = frozenset({DIRECTOR, AM, SPECIALIST})
MANAGERS = frozenset({DIRECTOR, AM})
DIRECTORS = frozenset({DIRECTOR})
CLIENTS = frozenset({CLIENT})

# The column order of the README table.
ROLE_ORDER = (DIRECTOR, AM, SPECIALIST, CLIENT)


@dataclass(frozen=True)
class Rule:
    roles: frozenset
    summary: str


POLICY: dict[str, Rule] = {
    # Today, search, the API index and job progress: every staff member.
    "workspace.view": Rule(STAFF, _("Today, search, job progress, the API index")),
    # CRM
    "client.view": Rule(STAFF, _("See clients (lists, workspace, timeline, files, exports)")),
    "client.create": Rule(MANAGERS, _("Add clients")),
    "client.edit": Rule(MANAGERS, _("Rename, pause, re-assign or churn a client")),
    "client.import": Rule(MANAGERS, _("Import clients and contacts from a file")),
    "contact.view": Rule(STAFF, _("See contacts")),
    "contact.edit": Rule(MANAGERS, _("Add, change and delete contacts")),
    "interaction.view": Rule(STAFF, _("See the timeline of calls, meetings and messages")),
    "interaction.log": Rule(STAFF, _("Log interactions (changing one: its author or a director)")),
    "deal.view": Rule(STAFF, _("See deals and the pipeline")),
    "deal.edit": Rule(MANAGERS, _("Add, change and move deals")),
    "task.view": Rule(STAFF, _("See tasks")),
    "task.edit": Rule(STAFF, _("Add, change and complete tasks")),
    "invoice.view": Rule(MANAGERS, _("See invoices and acts")),
    "invoice.edit": Rule(MANAGERS, _("Add and change invoices and acts")),
    "invoice.mark_paid": Rule(MANAGERS, _("Mark an invoice paid")),
    "invoice.send": Rule(MANAGERS, _("Send an invoice or act to the client")),
    "file.upload": Rule(STAFF, _("Upload client files (deleting one: its uploader or a manager)")),
    "file.manage": Rule(MANAGERS, _("Delete any client file")),
    "onboarding.edit": Rule(MANAGERS, _("Run a client's onboarding and fill in the agreement")),
    "onboarding.template": Rule(DIRECTORS, _("Change the onboarding checklist template")),
    "account_plan.edit": Rule(MANAGERS, _("Score clients and edit account plans (KAM)")),
    # Proposals
    "brief.view": Rule(STAFF, _("See briefs")),
    "brief.create": Rule(MANAGERS, _("Add briefs and start drafting a proposal from one")),
    "proposal.view": Rule(STAFF, _("See proposals, their PDFs and sent versions")),
    "proposal.edit": Rule(MANAGERS, _("Create and edit proposals, render their PDFs")),
    "proposal.send": Rule(MANAGERS, _("Send proposals, record replies, revoke links")),
    "case.edit": Rule(MANAGERS, _("Keep the library of cases")),
    "catalog.view": Rule(STAFF, _("Read the rate card and the service catalog")),
    "catalog.view_costs": Rule(DIRECTORS, _("See internal cost rates")),
    "catalog.edit": Rule(DIRECTORS, _("Change the rate card, the catalog, brief templates")),
    # Projects and delivery (which projects: directors all, AMs those of their clients, a PM / specialist
    # those they manage or are on the team of; see projects.selectors)
    "project.view": Rule(STAFF, _("See projects, their tasks, timeline, time and budget burn")),
    "project.create": Rule(MANAGERS, _("Create projects (by hand or from an accepted proposal)")),
    "project.manage": Rule(STAFF, _("Change a project, its team, milestones and tasks (a specialist: as its PM)")),
    "project.work": Rule(STAFF, _("Work on tasks of visible projects: status, comments, files, time")),
    "project.view_costs": Rule(DIRECTORS, _("See internal cost and margin of projects")),
    "change_request.edit": Rule(MANAGERS, _("Price change requests and send them to the client")),
    # Reporting (reporting/): data sources, metric imports and aggregates of the clients one may see
    "reporting.view": Rule(STAFF, _("See clients' data sources, imports and metrics")),
    "reporting.manage": Rule(MANAGERS, _("Add and change data sources, import and upload metrics")),
    # Client reports (h-reports): templates, reports of the clients one may see, building, publishing
    "report.view": Rule(STAFF, _("See clients' reports, their previews, PDFs and ratings")),
    "report.manage": Rule(MANAGERS, _("Create, build and edit client reports")),
    "report.publish": Rule(MANAGERS, _("Publish a report to the client's portal and contacts")),
    "report.template": Rule(MANAGERS, _("Change report templates (the agency's and a client's)")),
    # The agency
    "settings.change": Rule(DIRECTORS, _("Agency and proposal settings, holidays")),
    "team.manage": Rule(DIRECTORS, _("Invite people, change roles, deactivate members")),
    "audit.view": Rule(DIRECTORS, _("Read and export the audit log")),
    # Notifications: one's own inbox and preferences (mrm/notifications), staff and client contacts alike
    "notification.view": Rule(STAFF | CLIENTS, _("Read one's notifications, choose how they arrive, link Telegram")),
    # Client requests (comms): the threads of the clients one sees; answering and closing them
    "request.view": Rule(STAFF, _("See client requests, their messages and response times")),
    "request.reply": Rule(STAFF, _("Answer and close client requests")),
    # The client portal
    "portal.view": Rule(CLIENTS, _("The client portal of their own company")),
    # NPS surveys (h-nps): scores and comments on the client page and in the API, the AM's "send now", the rules
    "nps.view": Rule(MANAGERS, _("See clients' NPS scores and comments")),
    "nps.send": Rule(MANAGERS, _("Send an NPS survey now and set a client's survey schedule")),
    "nps.settings": Rule(DIRECTORS, _("Change the agency's NPS rules (interval, default schedule)")),
    # access: who may log in to the portal (a client's portal admin invites colleagues from the portal itself)
    "portal.access_manage": Rule(MANAGERS, _("Invite client contacts to the portal, resend, revoke their access")),
    # Custom fields and saved list views (h-fields)
    "custom_field.manage": Rule(DIRECTORS, _("Define the agency's custom fields on clients, contacts and deals")),
    "view.save": Rule(STAFF, _("Save list views (filters, sort, columns) and share them with the agency")),
    # KPI dashboard (h-dashboards): directors the agency's figures, AMs those of their own clients (selectors)
    "dashboard.view": Rule(MANAGERS, _("See the KPI dashboard, its drill-downs, the per-AM table and their exports")),
}


def rule_for(action: str) -> Rule:
    try:
        return POLICY[action]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown policy action {action!r}: add it to mrm/tenancy/policy.py") from None


def roles_for(action: str) -> frozenset:
    return rule_for(action).roles


def can(membership: Membership | None, action: str) -> bool:
    """May this membership do `action`? No membership (anonymous, no agency) may do nothing."""
    roles = roles_for(action)
    return membership is not None and membership.is_active and membership.role in roles


def roles_markdown() -> str:
    """The README's "Roles" table, generated from POLICY (tests/tenancy/test_policy.py keeps them equal)."""
    labels = {DIRECTOR: "director", AM: "account manager", SPECIALIST: "PM / specialist", CLIENT: "client contact"}
    lines = ["| action | what it allows | " + " | ".join(labels[r] for r in ROLE_ORDER) + " |",
             "|---|---|" + "---|" * len(ROLE_ORDER)]
    with translation.override("en"):
        for action, rule in POLICY.items():
            marks = " | ".join("✓" if role in rule.roles else "" for role in ROLE_ORDER)
            lines.append(f"| `{action}` | {rule.summary} | {marks} |")
    return "\n".join(lines)
