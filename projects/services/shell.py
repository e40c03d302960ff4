"""The project shell: create by hand, edit, change status, delete while empty, the team. Every change writes an
audit row; the views and the API call these (never the models directly)."""
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency, Membership, Role
from mrm.tenancy.services import apply_changes, audit

from .. import events
from ..models import Project, ProjectMember, TimeEntry

STAFF_ROLES = (Role.DIRECTOR, Role.AM, Role.SPECIALIST)
PROJECT_FIELDS = ("client", "deal", "name", "description", "kind", "start_date", "end_date", "manager",
                  "account_manager", "currency", "budget_amount", "budget_hours", "budget_cost", "retainer_hours",
                  "retainer_amount", "rollover", "rollover_cap_hours", "approval_days")
CLOSED = (Project.Status.DONE, Project.Status.CANCELLED)


def _is_staff(*, agency: Agency, user) -> bool:
    return user is not None and Membership.objects.filter(agency=agency, user=user, is_active=True,
                                                          role__in=STAFF_ROLES).exists()


def _check(*, agency: Agency, data: dict, project: Project | None = None) -> None:
    """The rules the form and the API share (they also validate field by field)."""
    def value(name):
        return data[name] if name in data else getattr(project, name, None)

    for name in ("manager", "account_manager"):
        user = data.get(name)
        if user is not None and not _is_staff(agency=agency, user=user):
            raise ServiceError(_("Choose a member of the agency's team."), field=name)
    client, deal = value("client"), value("deal")
    if client is not None and client.agency_id != agency.pk:
        raise ServiceError(_("Choose a client of this agency."), field="client")
    if deal is not None and (deal.agency_id != agency.pk or deal.client_id != getattr(client, "pk", None)):
        raise ServiceError(_("The deal must belong to the project's client."), field="deal")
    start, end = value("start_date"), value("end_date")
    if start and end and end < start:
        raise ServiceError(_("The planned end cannot be before the start."), field="end_date")
    if value("kind") == Project.Kind.RETAINER and not (value("retainer_hours") or Decimal("0")) > 0:
        raise ServiceError(_("A retainer needs its hours per month."), field="retainer_hours")
    if value("rollover") == Project.Rollover.CARRY_CAPPED and not (value("rollover_cap_hours") or 0) > 0:
        raise ServiceError(_("Set how many unused hours may carry over."), field="rollover_cap_hours")


def _clean(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k in PROJECT_FIELDS}
    if data.get("kind") == Project.Kind.ONE_OFF:
        data.update(retainer_hours=Decimal("0"), retainer_amount=Decimal("0"), rollover=Project.Rollover.NONE,
                    rollover_cap_hours=Decimal("0"))
    if "rollover" in data and data["rollover"] != Project.Rollover.CARRY_CAPPED:
        data["rollover_cap_hours"] = Decimal("0")
    return data


def _ensure_member(*, agency: Agency, project: Project, user, title: str) -> None:
    if user is not None:
        ProjectMember.objects.get_or_create(agency=agency, project=project, user=user, defaults={"title": title})


@transaction.atomic
def project_create(*, agency: Agency, actor, data: dict) -> Project:
    """A project typed by hand (status planning); its PM and AM join the team."""
    data = _clean(data)
    data.setdefault("currency", agency.currency)
    data["currency"] = data["currency"] or agency.currency
    _check(agency=agency, data=data)
    project = Project.objects.create(agency=agency, created_by=actor if getattr(actor, "is_authenticated", False)
                                     else None, status=Project.Status.PLANNING, **data)
    _ensure_member(agency=agency, project=project, user=project.account_manager, title=_("Account manager"))
    _ensure_member(agency=agency, project=project, user=project.manager, title=_("Project manager"))
    audit(agency=agency, actor=actor, action="project.created", target=project)
    events.emit(events.Event(kind="project.created", agency_id=agency.pk, project_id=project.pk,
                             object_id=str(project.pk), actor_id=getattr(actor, "pk", None),
                             recipient_ids=[u for u in {project.manager_id, project.account_manager_id}
                                            if u and u != getattr(actor, "pk", None)],
                             context={"project": project.name}))
    return project


@transaction.atomic
def project_update(*, agency: Agency, actor, project: Project, data: dict) -> Project:
    """Edit the project's fields (not its status: `project_set_status`). A new PM / AM joins the team."""
    project = Project.objects.select_for_update().get(agency=agency, pk=project.pk)
    data = _clean(data)
    if "client" in data and data["client"].pk != project.client_id and project.proposal_id:
        raise ServiceError(_("A project made from a proposal stays with that proposal's client."), field="client")
    _check(agency=agency, data=data, project=project)
    changes = apply_changes(project, data)
    if changes:
        project.save()
        if "manager" in changes:
            _ensure_member(agency=agency, project=project, user=project.manager, title=_("Project manager"))
        if "account_manager" in changes:
            _ensure_member(agency=agency, project=project, user=project.account_manager,
                           title=_("Account manager"))
        audit(agency=agency, actor=actor, action="project.updated", target=project, changes=changes)
    return project


@transaction.atomic
def project_set_status(*, agency: Agency, actor, project: Project, status: str) -> Project:
    """Move the project to `status`; done and cancelled set `closed_at`, reopening clears it."""
    if status not in Project.Status.values:
        raise ServiceError(_("Unknown status."), field="status")
    project = Project.objects.select_for_update().get(agency=agency, pk=project.pk)
    if project.status == status:
        return project
    changes = {"status": (project.status, status)}
    project.status = status
    if status in CLOSED:
        project.closed_at = timezone.now()
    else:
        project.closed_at = None
    project.save(update_fields=["status", "closed_at", "updated_at"])
    audit(agency=agency, actor=actor, action="project.updated", target=project, changes=changes)
    return project


def project_is_empty(*, project: Project) -> bool:
    """Nothing was planned or spent on it: no tasks, milestones or time."""
    agency_id = project.agency_id
    return not (project.tasks.filter(agency_id=agency_id).exists()
                or project.milestones.filter(agency_id=agency_id).exists()
                or TimeEntry.objects.filter(agency_id=agency_id, project=project).exists())


@transaction.atomic
def project_delete(*, agency: Agency, actor, project: Project) -> None:
    """Only an empty project (a mistake) is deleted; one with plans or time is cancelled instead, so its
    history and the hours spent stay."""
    project = Project.objects.select_for_update().get(agency=agency, pk=project.pk)
    if not project_is_empty(project=project):
        raise ServiceError(_("This project has tasks, milestones or time: cancel it instead of deleting."),
                           code="not_empty")
    audit(agency=agency, actor=actor, action="project.deleted", target=project)
    project.delete()


@transaction.atomic
def member_add(*, agency: Agency, actor, project: Project, user, role=None, title: str = "") -> ProjectMember:
    if not _is_staff(agency=agency, user=user):
        raise ServiceError(_("Choose a member of the agency's team."), field="user")
    if role is not None and role.agency_id != agency.pk:
        raise ServiceError(_("Choose a role of the rate card."), field="role")
    if ProjectMember.objects.filter(agency=agency, project=project, user=user).exists():
        raise ServiceError(_("This person is already on the team."), field="user", code="duplicate")
    try:
        with transaction.atomic():
            member = ProjectMember.objects.create(agency=agency, project=project, user=user, role=role,
                                                  title=(title or "").strip()[:120])
    except IntegrityError as exc:
        raise ServiceError(_("This person is already on the team."), field="user", code="duplicate") from exc
    audit(agency=agency, actor=actor, action="project_member.added", target=member,
          changes={"project": (None, project.name)})
    return member


@transaction.atomic
def member_update(*, agency: Agency, actor, member: ProjectMember, role=None, title: str = "") -> ProjectMember:
    if role is not None and role.agency_id != agency.pk:
        raise ServiceError(_("Choose a role of the rate card."), field="role")
    changes = apply_changes(member, {"role": role, "title": (title or "").strip()[:120]})
    if changes:
        member.save()
        audit(agency=agency, actor=actor, action="project_member.updated", target=member, changes=changes)
    return member


@transaction.atomic
def member_remove(*, agency: Agency, actor, member: ProjectMember) -> None:
    """Take someone off the team; the project's PM stays on it while they are the PM."""
    project = member.project
    if member.user_id == project.manager_id:
        raise ServiceError(_("The project manager stays on the team: choose another PM first."), code="pm")
    audit(agency=agency, actor=actor, action="project_member.removed", target=member,
          changes={"project": (project.name, None)})
    member.delete()
