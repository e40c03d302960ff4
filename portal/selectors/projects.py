"""The portal's reads of delivery: the company's projects with their progress and next milestone, one project's
milestones, the tasks waiting for the client's approval, and the deliverables (files the client may download).

Everything is built on `portal_fence` (the agency and the client login's company) and shows only what the
agency shares: client-visible milestones and tasks, files marked client-visible on client-visible tasks, and
never a cancelled project. Counts and the next milestone are subqueries, so the home page costs the same number
of queries for 1 project or 100."""
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from mrm.tenancy.models import Agency, Membership
from projects.models import Milestone, Project, ProjectTask, TaskAttachment

from . import portal_fence

HOME_PROJECT_LIMIT = 100
WAITING_LIMIT = 20
DELIVERABLE_LIMIT = 200


def _count(qs: QuerySet) -> Coalesce:
    """How many rows of `qs` (already tied to OuterRef("pk")) there are, as an integer annotation."""
    counted = qs.order_by().values("project_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _with_progress(qs: QuerySet[Project]) -> QuerySet[Project]:
    """Per project: client-visible tasks (all, done), client-visible milestones (all, reached) and the next
    client-visible milestone not reached yet (title and date)."""
    tasks = ProjectTask.objects.filter(agency_id=OuterRef("agency_id"), project_id=OuterRef("pk"),
                                       client_visible=True)
    milestones = Milestone.objects.filter(agency_id=OuterRef("agency_id"), project_id=OuterRef("pk"),
                                          client_visible=True)
    upcoming = milestones.filter(reached_at__isnull=True).order_by(
        F("due_date").asc(nulls_last=True), "order", "created_at")
    return qs.annotate(
        tasks_total=_count(tasks), tasks_done=_count(tasks.filter(status=ProjectTask.Status.DONE)),
        milestones_total=_count(milestones), milestones_reached=_count(milestones.filter(reached_at__isnull=False)),
        next_milestone_title=Subquery(upcoming.values("title")[:1]),
        next_milestone_due=Subquery(upcoming.values("due_date")[:1]),
    )


def portal_project_list(*, agency: Agency, membership: Membership) -> QuerySet[Project]:
    """The company's projects the client may open (every status but cancelled), open ones first."""
    qs = Project.objects.exclude(status=Project.Status.CANCELLED)
    return (portal_fence(qs, agency=agency, membership=membership)
            .select_related("manager", "account_manager")
            .order_by(F("closed_at").asc(nulls_first=True), F("start_date").desc(nulls_last=True), "-created_at"))


def portal_home_projects(*, agency: Agency, membership: Membership) -> tuple[list[Project], list[Project]]:
    """(open projects, finished projects) with their progress: one query."""
    rows = list(_with_progress(portal_project_list(agency=agency, membership=membership))[:HOME_PROJECT_LIMIT])
    open_rows = [p for p in rows if p.status in Project.OPEN_STATUSES]
    return open_rows, [p for p in rows if p.status not in Project.OPEN_STATUSES]


def portal_project_get(*, agency: Agency, membership: Membership, project_id) -> Project:
    """One project of the company (with its progress) or 404: another company's and another agency's alike."""
    project = _with_progress(portal_project_list(agency=agency, membership=membership)).filter(
        pk=project_id).first()
    if project is None:
        raise Http404
    return project


def portal_milestone_list(*, agency: Agency, membership: Membership, project: Project) -> QuerySet[Milestone]:
    """The project's client-visible milestones by date, each with its client-visible tasks (all, done)."""
    visible_tasks = Q(tasks__client_visible=True)
    qs = Milestone.objects.filter(project=project, client_visible=True)
    return (portal_fence(qs, agency=agency, membership=membership, client_field="project__client")
            .annotate(tasks_total=Count("tasks", filter=visible_tasks),
                      tasks_done=Count("tasks", filter=visible_tasks & Q(tasks__status=ProjectTask.Status.DONE)))
            .order_by(F("due_date").asc(nulls_last=True), "order", "created_at"))


def portal_awaiting_approval(*, agency: Agency, membership: Membership,
                             project: Project | None = None) -> QuerySet[ProjectTask]:
    """Client-visible tasks "on client approval" in the company's open projects (of one project when given),
    the longest waiting first."""
    qs = ProjectTask.objects.filter(status=ProjectTask.Status.CLIENT_APPROVAL, client_visible=True,
                                    project__status__in=Project.OPEN_STATUSES)
    if project is not None:
        qs = qs.filter(project=project)
    return (portal_fence(qs, agency=agency, membership=membership, client_field="project__client")
            .select_related("project", "milestone")
            .order_by(F("due_date").asc(nulls_last=True), "updated_at", "pk"))


def portal_deliverable_list(*, agency: Agency, membership: Membership, project: Project) -> QuerySet[TaskAttachment]:
    """The files the client may download from a project: marked client-visible, on a client-visible task."""
    qs = TaskAttachment.objects.filter(client_visible=True, task__client_visible=True, task__project=project)
    return (portal_fence(qs, agency=agency, membership=membership, client_field="task__project__client")
            .exclude(task__project__status=Project.Status.CANCELLED)
            .select_related("task", "task__milestone").order_by("-created_at"))


def portal_deliverable_get(*, agency: Agency, membership: Membership, project: Project,
                           attachment_id) -> TaskAttachment:
    attachment = portal_deliverable_list(agency=agency, membership=membership, project=project).filter(
        pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment
