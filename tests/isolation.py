"""The route-isolation registry: how to build, in another agency, the object each URL parameter names.

Every URL pattern that takes an object id must be covered here (by URL name, or by parameter name);
tests/tenancy/test_route_isolation.py fails for any route that is not. Builders take the foreign
agency and the kwargs built so far (so nested routes get consistent parents) and return the value.
"""
from collections.abc import Callable

from django_scopes import scopes_disabled

from . import factories as f

Builder = Callable[..., object]


def _client(agency, kw):
    return f.ClientFactory(agency=agency).pk


def _parent_client(agency, kw):
    if "client_id" in kw:
        with scopes_disabled():
            from clients.models import Client

            return Client.objects.get(pk=kw["client_id"])
    return f.ClientFactory(agency=agency)


def _parent_project(agency, kw):
    """projects (shell): the project of the route if it was built already, else a new one of `agency`."""
    if "project_id" in kw:
        with scopes_disabled():
            from projects.models import Project

            return Project.objects.get(pk=kw["project_id"])
    return f.ProjectFactory(agency=agency, client=f.ClientFactory(agency=agency))


# Builders by URL parameter name (HTML views).
BY_PARAM: dict[str, Builder] = {
    "client_id": _client,
    "holiday_id": lambda agency, kw: f.HolidayFactory(agency=agency).pk,
    "membership_id": lambda agency, kw: f.MembershipFactory(agency=agency).uuid,
    "invitation_id": lambda agency, kw: f.InvitationFactory(agency=agency).uuid,
    "job_id": lambda agency, kw: f.JobFactory(agency=agency).pk,
    "token_id": lambda agency, kw: _api_token(agency),
    "contact_id": lambda agency, kw: f.ContactFactory(agency=agency, client=_parent_client(agency, kw)).pk,
    "deal_id": lambda agency, kw: f.DealFactory(agency=agency, client=_parent_client(agency, kw)).pk,
    "interaction_id": lambda agency, kw: f.InteractionFactory(agency=agency, client=_parent_client(agency, kw)).pk,
    "task_id": lambda agency, kw: f.TaskFactory(agency=agency).pk,
    "invoice_id": lambda agency, kw: f.InvoiceFactory(agency=agency, client=_parent_client(agency, kw)).pk,
    "step_id": lambda agency, kw: f.OnboardingStepFactory(
        agency=agency, plan=f.OnboardingPlanFactory(agency=agency, client=_parent_client(agency, kw))).pk,
    "file_id": lambda agency, kw: f.ClientFileFactory(agency=agency, client=_parent_client(agency, kw)).pk,
    "import_id": lambda agency, kw: f.ImportFileFactory(agency=agency).pk,
    # projects
    "project_id": lambda agency, kw: f.ProjectFactory(agency=agency, client=_parent_client(agency, kw)).pk,
    # projects: shell (team members of the project in the route, or of a new foreign one)
    "member_id": lambda agency, kw: f.ProjectMemberFactory(agency=agency, project=_parent_project(agency, kw)).pk,
    # projects: time
    "entry_id": lambda agency, kw: f.TimeEntryFactory(project=f.ProjectFactory(agency=agency, client=_parent_client(
        agency, kw))).pk,
    "time_off_id": lambda agency, kw: f.TimeOffFactory(agency=agency).pk,
    # notifications
    "notification_id": lambda agency, kw: f.NotificationFactory(
        agency=agency, recipient=f.MembershipFactory(agency=agency).user).pk,
    # pipelines (settings; a foreign pipeline or stage answers 404)
    "pipeline_id": lambda agency, kw: f.PipelineFactory(agency=agency).pk,
    "stage_id": lambda agency, kw: f.default_stage(agency, "new").pk,
}

# Builders by URL name, for routes whose parameter name is generic (the API's `pk`).
BY_ROUTE: dict[str, dict[str, Builder]] = {
    "client-detail": {"pk": _client},
    "contact-detail": {"pk": BY_PARAM["contact_id"]},
    "deal-detail": {"pk": BY_PARAM["deal_id"]},
    "interaction-detail": {"pk": BY_PARAM["interaction_id"]},
    "task-detail": {"pk": BY_PARAM["task_id"]},
    "invoice-detail": {"pk": BY_PARAM["invoice_id"]},
    # Invoice documents (clients/api/invoices.py actions).
    "invoice-requisites": {"pk": BY_PARAM["invoice_id"]},
    "invoice-pdf": {"pk": BY_PARAM["invoice_id"]},
    "invoice-render-pdf": {"pk": BY_PARAM["invoice_id"]},
    "invoice-send": {"pk": BY_PARAM["invoice_id"]},
    "job-detail": {"pk": BY_PARAM["job_id"]},
    # projects API (shell)
    "project-detail": {"pk": BY_PARAM["project_id"]},
    "project-member-detail": {"pk": BY_PARAM["member_id"]},
    "budget-line-detail": {"pk": lambda agency, kw: f.BudgetLineFactory(
        agency=agency, project=f.ProjectFactory(agency=agency, client=f.ClientFactory(agency=agency))).pk},
    # projects: time (projects/api.py)
    "time-entry-detail": {"pk": BY_PARAM["entry_id"]},
    "time-off-detail": {"pk": BY_PARAM["time_off_id"]},
    # notifications (mrm/notifications/api.py): another agency's notification, and a preference kind (own rows only)
    "notification-detail": {"pk": BY_PARAM["notification_id"]},
    "notification-read": {"pk": BY_PARAM["notification_id"]},
    # pipelines (clients/api/deals.py)
    "pipeline-detail": {"pk": BY_PARAM["pipeline_id"]},
}

# Routes whose parameters are not object ids of an agency: public tokens checked by their own tests.
NOT_OBJECT_ROUTES = {
    "accounts:invitation_accept",  # a secret token; invalid ones answer 404 (tests/accounts)
    "accounts:password_reset_confirm",  # Django's signed token
    "calendar_feed",  # a secret iCal token; unknown or revoked answers 404 (tests/clients/test_calendar_feed.py)
    # A public file's random name (logos, team photos, case images are public by design); private files are
    # never served there (tests/core/test_storage.py).
    "public_file",
    # The Telegram bot's webhook: a secret from settings, not an object (tests/notifications/test_telegram.py).
    "notifications:telegram_webhook",
    # A notification kind ("task.assigned"), not an object: the caller's own preference (tests/notifications).
    "notification-preference-detail",
}


def _api_token(agency):
    from mrm.accounts.models import ApiToken

    member = f.MembershipFactory(agency=agency)
    _raw, prefix, digest = ApiToken.generate()
    return ApiToken.objects.create(agency=agency, user=member.user, membership=member, name="k", prefix=prefix,
                                   key_hash=digest).pk


def register(*, param: str | None = None, route: str | None = None, builder: Builder, route_param: str = "pk"):
    """For later apps: `register(param="proposal_id", builder=...)`."""
    if param:
        BY_PARAM[param] = builder
    if route:
        BY_ROUTE.setdefault(route, {})[route_param] = builder


def _register_proposals() -> None:
    """Proposals app: briefs, catalog, КП (builders in tests/proposals/builders.py)."""
    from .proposals import builders as kp

    BY_PARAM.update(kp.BY_PARAM)
    for route, params in kp.BY_ROUTE.items():
        BY_ROUTE.setdefault(route, {}).update(params)
    NOT_OBJECT_ROUTES.update(kp.NOT_OBJECT_ROUTES)


_register_proposals()


# KPI target overrides (settings screen): h-history.
def _kpi_target(agency, kw):
    from mrm.tenancy.models import KpiTarget

    with scopes_disabled():
        return KpiTarget.objects.create(agency=agency, metric="nps", value=60, client=f.ClientFactory(agency=agency)).pk


BY_PARAM["target_id"] = _kpi_target
# dashboards: client health (the API's detail takes the client's id as `pk`; the pages take `client_id`)
BY_ROUTE["health-detail"] = {"pk": _client}


# projects: alerts (the acknowledge page nests the alert under its project; the API's alert routes take `pk`).
def _alert(agency, kw):
    project = None
    if "project_id" in kw:
        with scopes_disabled():
            from projects.models import Project

            project = Project.objects.get(pk=kw["project_id"])
    if project is None:
        project = f.ProjectFactory(agency=agency, client=_parent_client(agency, kw))
    return f.AlertFactory(agency=agency, project=project).pk


BY_PARAM["alert_id"] = _alert
BY_ROUTE["alert-detail"] = {"pk": _alert}
BY_ROUTE["alert-acknowledge"] = {"pk": _alert}


# projects, work area (tasks, milestones, dependencies, comments, files): h-work.
def _work_project(agency, kw):
    if "project_id" in kw:
        with scopes_disabled():
            from projects.models import Project

            return Project.objects.get(pk=kw["project_id"])
    return f.ProjectFactory(agency=agency, client=f.ClientFactory(agency=agency))


def _work_task(agency, kw):
    if "ptask_id" in kw:
        with scopes_disabled():
            from projects.models import ProjectTask

            return ProjectTask.objects.get(pk=kw["ptask_id"])
    return f.ProjectTaskFactory(project=_work_project(agency, kw))


def _work_dependency(agency, kw):
    task = _work_task(agency, kw)
    return f.TaskDependencyFactory(successor=task, predecessor=f.ProjectTaskFactory(project=task.project)).pk


BY_PARAM.update({
    "ptask_id": lambda agency, kw: _work_task(agency, kw).pk,
    "milestone_id": lambda agency, kw: f.MilestoneFactory(project=_work_project(agency, kw)).pk,
    "dependency_id": _work_dependency,
    "comment_id": lambda agency, kw: f.TaskCommentFactory(task=_work_task(agency, kw)).pk,
    "attachment_id": lambda agency, kw: f.TaskAttachmentFactory(task=_work_task(agency, kw)).pk,
})
BY_ROUTE.update({
    "milestone-detail": {"pk": BY_PARAM["milestone_id"]},
    "project-task-detail": {"pk": BY_PARAM["ptask_id"]},
    "task-comment-detail": {"pk": BY_PARAM["comment_id"]},
})


# Change requests (projects, h-changes): nested under their project; the portal's routes answer client logins only
# (a staff login is turned away by the policy before any object loads), so their 404 for another company's and
# another agency's change request is tested in tests/projects/test_changes_portal.py.
def _change_request(agency, kw):
    from projects.models import Project

    with scopes_disabled():
        project = Project.objects.get(pk=kw["project_id"]) if "project_id" in kw else f.ProjectFactory(agency=agency)
    return f.ChangeRequestFactory(agency=agency, project=project)


def _cr_line(agency, kw):
    from projects.models import ChangeRequest

    with scopes_disabled():
        change_request = (ChangeRequest.objects.get(pk=kw["change_request_id"]) if "change_request_id" in kw
                          else _change_request(agency, kw))
    return f.ChangeRequestLineFactory(agency=agency, change_request=change_request).pk


BY_PARAM["change_request_id"] = lambda agency, kw: _change_request(agency, kw).pk
BY_PARAM["cr_line_id"] = _cr_line
BY_ROUTE["change-request-detail"] = {"pk": lambda agency, kw: _change_request(agency, kw).pk}
BY_ROUTE["change-request-send"] = BY_ROUTE["change-request-detail"]
BY_ROUTE["change-request-withdraw"] = BY_ROUTE["change-request-detail"]
NOT_OBJECT_ROUTES.update({"portal:change_detail", "portal:change_decide"})


# Client portal home (h-home): the project page and its deliverable download answer client logins only (a staff login
# is turned away by the policy before any object loads), so their 404 for another company's and another agency's
# project and file is tested in tests/portal/test_home_project.py. The staff route that shares a task file with the
# client (projects:task_attachment_visibility) is covered by the project_id / ptask_id / attachment_id builders.
NOT_OBJECT_ROUTES.update({"portal:project", "portal:project_file"})
# Portal proposals (helper "props"): client logins only (a staff login is turned away by the policy before any object
# loads); their 404 for another company's, another agency's and a never-sent proposal is tested in
# tests/portal/test_proposals.py.
NOT_OBJECT_ROUTES.update({"portal:proposal", "portal:proposal_pdf", "portal:proposal_decide",
                          "portal:proposal_renewal"})
# Client requests (comms, h-requests): a thread of another agency's client, and a file of that thread. The portal's
# request routes answer client logins only (the policy turns a staff login away first), so their 404 for another
# company's and another agency's thread is tested in tests/portal/test_requests_portal.py.
def _client_request(agency, kw):
    from comms.models import ClientRequest

    if "request_id" in kw:
        with scopes_disabled():
            return ClientRequest.objects.get(pk=kw["request_id"])
    return f.ClientRequestFactory(client=f.ClientFactory(agency=agency))


def _request_attachment(agency, kw):
    thread = _client_request(agency, kw)
    return f.RequestAttachmentFactory(message=f.RequestMessageFactory(thread=thread)).pk


BY_PARAM["request_id"] = lambda agency, kw: _client_request(agency, kw).pk
BY_ROUTE["request_attachment"] = {"attachment_id": _request_attachment}
BY_ROUTE["client-request-detail"] = {"pk": lambda agency, kw: _client_request(agency, kw).pk}
BY_ROUTE["client-request-reply"] = BY_ROUTE["client-request-detail"]
BY_ROUTE["client-request-close"] = BY_ROUTE["client-request-detail"]
BY_ROUTE["request-message-detail"] = {"pk": lambda agency, kw: f.RequestMessageFactory(
    thread=_client_request(agency, kw)).pk}
NOT_OBJECT_ROUTES.update({"portal:request_detail", "portal:request_message", "portal:request_close",
                          "portal:request_attachment"})
# NPS (portal, h-nps): the API's answers take `pk`; the staff pages nest under `client_id` (built above). The portal's
# survey pages answer client logins only (staff are turned away by the policy before any object loads), so their 404
# for another company's and another agency's survey is tested in tests/portal/test_nps_views.py; the e-mailed link is
# a signed token (forged, revoked → 404, same file).
def _nps_response(agency, kw):
    return f.NpsResponseFactory(survey=f.NpsSurveyFactory(contact=f.ContactFactory(agency=agency, client=_parent_client(
        agency, kw)))).pk


BY_PARAM["survey_id"] = lambda agency, kw: f.NpsSurveyFactory(contact=f.ContactFactory(
    agency=agency, client=_parent_client(agency, kw))).pk
BY_ROUTE["nps-response-detail"] = {"pk": _nps_response}
NOT_OBJECT_ROUTES.update({"portal:nps_answer", "portal:nps_link"})
# Portal access (h-access): the staff routes take a contact (BY_PARAM["contact_id"], 404 for another agency's);
# the log-in link carries a signed token, not an object (tests/portal/test_access_magic_link.py).
NOT_OBJECT_ROUTES.add("accounts:magic_link_login")
BY_ROUTE["portal-access-detail"] = {"pk": BY_PARAM["contact_id"]}
BY_ROUTE["portal-access-invite"] = {"pk": BY_PARAM["contact_id"]}
BY_ROUTE["portal-access-revoke"] = {"pk": BY_PARAM["contact_id"]}
# reporting (h-reporting): data sources, metric imports; the API's source routes take `pk`.
def _reporting_source(agency, kw):
    return f.DataSourceFactory(agency=agency, client=_parent_client(agency, kw))


BY_PARAM["source_id"] = lambda agency, kw: _reporting_source(agency, kw).pk
BY_PARAM["metric_import_id"] = lambda agency, kw: f.MetricImportFactory(
    agency=agency, source=_reporting_source(agency, kw)).pk
BY_ROUTE["reporting-source-detail"] = {"pk": BY_PARAM["source_id"]}
BY_ROUTE["reporting-source-metrics"] = {"pk": BY_PARAM["source_id"]}


# Client reports (h-reports): a report and a template of another agency's client; the API's routes take `pk`. The
# portal's report routes answer client logins only (the policy turns a staff login away first), so their 404 for
# another company's, another agency's and an unpublished report is tested in tests/reporting/test_reports_portal.py.
def _report(agency, kw):
    return f.ReportFactory(client=f.ClientFactory(agency=agency)).pk


def _report_template(agency, kw):
    return f.ReportTemplateFactory(agency=agency).pk


BY_PARAM["report_id"] = _report
BY_PARAM["template_id"] = _report_template
BY_ROUTE.update({name: {"pk": _report} for name in ("report-detail", "report-build", "report-publish")})
BY_ROUTE["report-template-detail"] = {"pk": _report_template}
NOT_OBJECT_ROUTES.update({"portal:report", "portal:report_pdf", "portal:report_rate"})


# fields: custom field definitions (settings) and saved list views (another agency's → 404).
BY_PARAM["field_id"] = lambda agency, kw: f.CustomFieldFactory(agency=agency).pk
BY_PARAM["view_id"] = lambda agency, kw: f.SavedViewFactory(agency=agency, shared=True).pk
BY_ROUTE["custom-field-detail"] = {"pk": lambda agency, kw: f.CustomFieldFactory(agency=agency).pk}
# KPI dashboard (h-dashboards): the drill-down's `metric` is a KPI name, not an object (its figures are the agency's
# own: tests/dashboards/test_views.py checks another agency's director never sees them, exports included); the client
# block takes `client_id` (built above).
NOT_OBJECT_ROUTES.add("dashboards:drill")
# estimates (helper "estimates"): the portal's option switches answer client logins only, like the other portal
# proposal routes; another company's and another agency's proposal answer 404 in tests/proposals/test_estimate_kinds.py.
# The staff route proposals:line_offer is covered by the proposal_id / line_id builders.
NOT_OBJECT_ROUTES.update({"portal:proposal_options"})


# Connectors (h-connectors): a sync of another agency's source, and the connection of its connector source (the
# API's routes take `pk`; the HTML routes take `source_id`, built above).
def _reporting_sync(agency, kw):
    from datetime import date

    from reporting.models import SourceSync

    source = f.DataSourceFactory(agency=agency, client=_parent_client(agency, kw), kind="yandex_direct")
    with scopes_disabled():
        return SourceSync.objects.create(agency=agency, source=source, date_from=date(2026, 1, 1),
                                         date_to=date(2026, 1, 7)).pk


BY_ROUTE["reporting-sync-detail"] = {"pk": _reporting_sync}
BY_ROUTE["reporting-connection-detail"] = {"pk": lambda agency, kw: f.DataSourceFactory(
    agency=agency, client=_parent_client(agency, kw), kind="vk_ads").pk}
# Report API reads (h-repjourney): a report's builds and its PDF take the report's `pk`.
BY_ROUTE.update({name: {"pk": _report} for name in ("report-builds", "report-pdf")})
