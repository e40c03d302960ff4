"""Which projects a member sees, the same for pages and the API.

Directors see every project; an AM the projects of the clients they see and those they are the AM of; a PM /
specialist those they manage or are on the team of. A client membership is refused outright
(mrm.tenancy.fences.ClientMembershipRefused): the portal reads client-visible items of its own company through
portal/selectors."""
from django.db.models import Q, QuerySet
from django.http import Http404

from clients.models import Client
from clients.selectors.companies import client_visibility_q
from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership, Role

from .models import Project, ProjectMember, ProjectTask


def project_visibility_q(*, membership: Membership, prefix: str = "", client=None) -> Q:
    """`prefix` ("project__") applies the same rule to rows of a project (tasks, time, milestones). `client`
    narrows the team subquery to that client's projects (the same rows when the query asks for one client only:
    a member of 17,000 projects would otherwise hash every one of them for a client page showing three)."""
    refuse_client(membership)
    if membership.role == Role.DIRECTOR:
        return Q()
    teams = ProjectMember.objects.filter(agency_id=membership.agency_id, user_id=membership.user_id)
    if client is not None:
        teams = teams.filter(project__client=client)
    on_team = Q(**{f"{prefix}pk__in": teams.values("project_id")})
    mine = Q(**{f"{prefix}manager_id": membership.user_id}) | Q(**{f"{prefix}account_manager_id": membership.user_id})
    if membership.role == Role.AM:
        # The clients as subqueries of ids, not conditions on the joined client row: the whole condition then
        # reads the project row alone, so a list sorted by date walks its index and stops after a page of
        # matches (an AM who sees 15,000 projects: 55 → 1 ms) instead of joining every project to its client.
        clients = Client.objects.filter(agency_id=membership.agency_id).filter(
            client_visibility_q(membership=membership)).values("pk")
        return mine | on_team | Q(**{f"{prefix}client_id__in": clients})
    if membership.role == Role.SPECIALIST:
        return mine | on_team
    return Q(pk__in=[])


def project_list(*, agency: Agency, membership: Membership, client=None) -> QuerySet[Project]:
    """The projects `membership` sees; with `client`, only that client's (and a narrower visibility subquery)."""
    refuse_client(membership)
    qs = Project.objects.filter(agency=agency)
    if client is not None:
        qs = qs.filter(client=client)
    return (qs.filter(project_visibility_q(membership=membership, client=client))
            .select_related("client", "manager", "account_manager"))


def project_get(*, agency: Agency, membership: Membership, project_id) -> Project:
    """A visible project or 404 (another agency's and an invisible one answer the same)."""
    refuse_client(membership)
    project = project_list(agency=agency, membership=membership).filter(pk=project_id).first()
    if project is None:
        raise Http404
    return project


def can_manage_project(*, membership: Membership, project: Project) -> bool:
    """Directors and AMs manage the projects they see; a specialist only the one they are the PM of."""
    if membership.role in (Role.DIRECTOR, Role.AM):
        return True
    return membership.role == Role.SPECIALIST and project.manager_id == membership.user_id


def project_task_list(*, agency: Agency, membership: Membership, project: Project | None = None
                      ) -> QuerySet[ProjectTask]:
    refuse_client(membership)
    qs = ProjectTask.objects.filter(agency=agency)
    if project is not None:
        return qs.filter(project=project)
    return qs.filter(project_visibility_q(membership=membership, prefix="project__"))
