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
    # notifications
    "notification_id": lambda agency, kw: f.NotificationFactory(
        agency=agency, recipient=f.MembershipFactory(agency=agency).user).pk,
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
    # notifications (mrm/notifications/api.py): another agency's notification, and a preference kind (own rows only)
    "notification-detail": {"pk": BY_PARAM["notification_id"]},
    "notification-read": {"pk": BY_PARAM["notification_id"]},
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
