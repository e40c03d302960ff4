"""Work on a project: milestones, tasks, finish-to-start dependencies, comments with @mentions, task files.

Every writer here takes objects its caller loaded through projects.selectors (visibility checked there) and
the permission (project.manage / project.work) checked by the view or API; it validates the domain rules,
saves, audits, and emits the project events listeners react to after commit."""
import os
import re
from collections import defaultdict, deque
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency, Membership, Role
from mrm.tenancy.services import audit

from .. import events
from ..models import Comment, Milestone, Project, ProjectTask, TaskAttachment, TaskDependency

MILESTONE_FIELDS = ("title", "due_date", "workstream", "client_visible", "order")
TASK_FIELDS = ("title", "description", "workstream", "milestone", "assignee", "role", "estimate_hours",
               "start_date", "due_date", "client_visible")


def _task_url(task: ProjectTask) -> str:
    return reverse("projects:task_detail", args=[task.project_id, task.pk])


def _client_contact_user_ids(*, agency: Agency, project: Project) -> list[int]:
    return list(Membership.objects.filter(agency=agency, role=Role.CLIENT, is_active=True,
                                          contact__client_id=project.client_id).values_list("user_id", flat=True))


def _changes(obj, data: dict, fields) -> dict:
    changes = {}
    for name in fields:
        if name in data:
            old = getattr(obj, name)
            new = data[name]
            if old != new:
                changes[name] = (getattr(old, "pk", old), getattr(new, "pk", new))
    return changes


# Milestones ----------------------------------------------------------------------------------------------------

@transaction.atomic
def milestone_create(*, agency: Agency, actor, project: Project, data: dict) -> Milestone:
    """A milestone; its first due date becomes the baseline slippage is measured against."""
    milestone = Milestone(agency=agency, project=project,
                          **{k: v for k, v in data.items() if k in MILESTONE_FIELDS})
    milestone.baseline_due_date = milestone.due_date
    milestone.save()
    audit(agency=agency, actor=actor, action="milestone.created", target=milestone)
    return milestone


@transaction.atomic
def milestone_update(*, agency: Agency, actor, milestone: Milestone, data: dict) -> Milestone:
    milestone = Milestone.objects.select_for_update().get(agency=agency, pk=milestone.pk)
    changes = _changes(milestone, data, MILESTONE_FIELDS)
    for name in MILESTONE_FIELDS:
        if name in data:
            setattr(milestone, name, data[name])
    if milestone.baseline_due_date is None and milestone.due_date is not None:
        milestone.baseline_due_date = milestone.due_date  # the first date ever agreed
    milestone.save()
    if changes:
        audit(agency=agency, actor=actor, action="milestone.updated", target=milestone, changes=changes)
    return milestone


@transaction.atomic
def milestone_delete(*, agency: Agency, actor, milestone: Milestone) -> None:
    """Delete a milestone; its tasks stay, without a milestone."""
    audit(agency=agency, actor=actor, action="milestone.deleted", target=milestone)
    Milestone.objects.filter(agency=agency, pk=milestone.pk).delete()


@transaction.atomic
def milestone_set_reached(*, agency: Agency, actor, milestone: Milestone, reached: bool) -> Milestone:
    """Mark a milestone reached (now) or not reached; reaching it emits "milestone.reached" once."""
    milestone = Milestone.objects.select_for_update().select_related("project").get(agency=agency, pk=milestone.pk)
    if reached == (milestone.reached_at is not None):
        return milestone  # already so: no second event
    milestone.reached_at = timezone.now() if reached else None
    milestone.save(update_fields=["reached_at", "updated_at"])
    audit(agency=agency, actor=actor, action="milestone.reached" if reached else "milestone.reopened",
          target=milestone)
    if reached:
        project = milestone.project
        recipients = _client_contact_user_ids(agency=agency, project=project) if milestone.client_visible else []
        events.emit(events.Event(
            kind="milestone.reached", agency_id=agency.pk, project_id=project.pk, object_id=str(milestone.pk),
            actor_id=getattr(actor, "pk", None), recipient_ids=recipients,
            # The recipients are client contacts: the link opens the project in their portal.
            url=reverse("portal:project", args=[project.pk]),
            context={"milestone": milestone.title, "project": project.name,
                     "client_visible": milestone.client_visible}))
    return milestone


# Tasks ---------------------------------------------------------------------------------------------------------

def _check_dates(start: date | None, due: date | None) -> None:
    if start and due and due < start:
        raise ServiceError(_("The due date is before the start. Move the due date or the start."), field="due_date",
                           code="due_before_start")


def _check_estimate(data: dict) -> None:
    estimate = data.get("estimate_hours")
    if estimate is not None and estimate < 0:
        raise ServiceError(_("The estimate cannot be negative."), field="estimate_hours", code="negative_estimate")


def _check_links(task: ProjectTask) -> None:
    for name in ("workstream", "milestone"):
        linked = getattr(task, name)
        if linked is not None and linked.project_id != task.project_id:
            raise ServiceError(_("Choose one of this project's own."), field=name, code="other_project")


def _assigned(*, agency: Agency, actor, task: ProjectTask) -> None:
    events.emit(events.Event(
        kind="task.assigned", agency_id=agency.pk, project_id=task.project_id, object_id=str(task.pk),
        actor_id=getattr(actor, "pk", None), recipient_ids=[task.assignee_id], url=_task_url(task),
        context={"task": task.title}))


@transaction.atomic
def task_create(*, agency: Agency, actor, project: Project, data: dict) -> ProjectTask:
    """A task at the end of the "to do" column; dates given now become its baseline."""
    _check_estimate(data)
    task = ProjectTask(agency=agency, project=project, **{k: v for k, v in data.items() if k in TASK_FIELDS})
    _check_dates(task.start_date, task.due_date)
    _check_links(task)
    task.baseline_start_date, task.baseline_due_date = task.start_date, task.due_date
    last = (ProjectTask.objects.filter(agency=agency, project=project, status=task.status)
            .order_by("-position").values_list("position", flat=True).first())
    task.position = (last or 0) + 1
    task.status_changed_at = timezone.now()
    task.save()
    audit(agency=agency, actor=actor, action="project_task.created", target=task)
    if task.assignee_id:
        _assigned(agency=agency, actor=actor, task=task)
    return task


@transaction.atomic
def task_update(*, agency: Agency, actor, task: ProjectTask, data: dict) -> ProjectTask:
    """Edit a task's fields (not its status: task_set_status); a newly given date fills an empty baseline."""
    _check_estimate(data)
    task = ProjectTask.objects.select_for_update().get(agency=agency, pk=task.pk)
    changes = _changes(task, data, TASK_FIELDS)
    old_assignee = task.assignee_id
    for name in TASK_FIELDS:
        if name in data:
            setattr(task, name, data[name])
    _check_dates(task.start_date, task.due_date)
    _check_links(task)
    if task.baseline_start_date is None and task.start_date is not None:
        task.baseline_start_date = task.start_date
    if task.baseline_due_date is None and task.due_date is not None:
        task.baseline_due_date = task.due_date
    task.save()
    if changes:
        audit(agency=agency, actor=actor, action="project_task.updated", target=task, changes=changes)
    if task.assignee_id and task.assignee_id != old_assignee:
        _assigned(agency=agency, actor=actor, task=task)
    return task


@transaction.atomic
def task_set_status(*, agency: Agency, actor, task: ProjectTask, status: str) -> ProjectTask:
    """Move a task to another column: at the end of it, with the time of the move (and of completion)."""
    if status not in ProjectTask.Status.values:
        raise ServiceError(_("Choose one of the statuses."), field="status", code="bad_status")
    task = ProjectTask.objects.select_for_update().select_related("project").get(agency=agency, pk=task.pk)
    old = task.status
    if old == status:
        return task
    now = timezone.now()
    last = (ProjectTask.objects.filter(agency=agency, project_id=task.project_id, status=status)
            .order_by("-position").values_list("position", flat=True).first())
    task.status, task.status_changed_at, task.position = status, now, (last or 0) + 1
    task.completed_at = now if status == ProjectTask.Status.DONE else None
    task.save(update_fields=["status", "status_changed_at", "completed_at", "position", "updated_at"])
    audit(agency=agency, actor=actor, action="project_task.status_changed", target=task,
          changes={"status": (old, status)})
    project = task.project
    events.emit(events.Event(
        kind="task.status_changed", agency_id=agency.pk, project_id=project.pk, object_id=str(task.pk),
        actor_id=getattr(actor, "pk", None), recipient_ids=[project.manager_id] if project.manager_id else [],
        url=_task_url(task), context={"task": task.title, "old_status": old, "new_status": status}))
    if status == ProjectTask.Status.CLIENT_APPROVAL:
        events.emit(events.Event(
            kind="approval.needed", agency_id=agency.pk, project_id=project.pk, object_id=str(task.pk),
            actor_id=getattr(actor, "pk", None),
            # The client is asked only about what the portal shows them; the event still marks the wait.
            recipient_ids=_client_contact_user_ids(agency=agency, project=project) if task.client_visible else [],
            url=reverse("portal:project", args=[project.pk]),  # for the client contacts: their portal's page
            context={"task": task.title, "client_visible": task.client_visible}))
    return task


@transaction.atomic
def task_delete(*, agency: Agency, actor, task: ProjectTask) -> None:
    """Delete a task with its dependencies, comments and files (the bytes leave storage after commit)."""
    files = list(TaskAttachment.objects.filter(agency=agency, task=task).values_list("file", flat=True))
    audit(agency=agency, actor=actor, action="project_task.deleted", target=task)
    ProjectTask.objects.filter(agency=agency, pk=task.pk).delete()
    storage = TaskAttachment._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(path) for path in files])


# Dependencies --------------------------------------------------------------------------------------------------

def _reaches(edges: list[tuple], start, goal) -> bool:
    graph = defaultdict(list)
    for pred, succ in edges:
        graph[pred].append(succ)
    seen, queue = {start}, deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return True
        for nxt in graph[node]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False


@transaction.atomic
def dependency_add(*, agency: Agency, actor, predecessor: ProjectTask, successor: ProjectTask) -> TaskDependency:
    """`successor` starts after `predecessor` finishes; refused across projects and when it would close a loop."""
    if predecessor.project_id != successor.project_id:
        raise ServiceError(_("A task can only depend on a task of the same project."), field="predecessor",
                           code="other_project")
    if predecessor.pk == successor.pk:
        raise ServiceError(_("A task cannot depend on itself."), field="predecessor", code="self")
    # One writer at a time per project: two simultaneous additions could each pass the check and close a loop.
    Project.objects.select_for_update().filter(agency=agency, pk=successor.project_id).values_list("pk").first()
    edges = list(TaskDependency.objects.filter(agency=agency, successor__project_id=successor.project_id)
                 .values_list("predecessor_id", "successor_id"))
    if (predecessor.pk, successor.pk) in edges:
        raise ServiceError(_("This dependency is already there."), field="predecessor", code="duplicate")
    if _reaches(edges, successor.pk, predecessor.pk):
        raise ServiceError(
            _("“%(pred)s” already waits for “%(succ)s” (directly or through other tasks): this dependency would "
              "make a loop where neither can start.") % {"pred": predecessor.title, "succ": successor.title},
            field="predecessor", code="cycle")
    dependency = TaskDependency.objects.create(agency=agency, predecessor=predecessor, successor=successor)
    audit(agency=agency, actor=actor, action="task_dependency.added", target=successor,
          changes={"predecessor": (None, str(predecessor.pk))})
    return dependency


@transaction.atomic
def dependency_remove(*, agency: Agency, actor, dependency: TaskDependency) -> None:
    audit(agency=agency, actor=actor, action="task_dependency.removed", target=dependency.successor,
          changes={"predecessor": (str(dependency.predecessor_id), None)})
    TaskDependency.objects.filter(agency=agency, pk=dependency.pk).delete()


# Comments and @mentions ----------------------------------------------------------------------------------------

_BOUNDARY = re.compile(r"[\w.\-]")


def mention_candidates(*, agency: Agency) -> list[tuple[str, int]]:
    """(lower-case handle, user id) for the agency's active staff: full name, e-mail prefix, and the first
    name when no one else has it; longest first so "@Анна Петрова" wins over "@Анна"."""
    people = list(Membership.objects.filter(agency=agency, is_active=True, role__in=(Role.DIRECTOR, Role.AM,
                                                                                    Role.SPECIALIST))
                  .values_list("user_id", "user__full_name", "user__email"))
    handles: dict[str, set] = defaultdict(set)
    first_names: dict[str, set] = defaultdict(set)
    for user_id, full_name, email in people:
        name = " ".join((full_name or "").split()).lower()
        if name:
            handles[name].add(user_id)
            first_names[name.split(" ")[0]].add(user_id)
        if email:
            handles[email.split("@")[0].lower()].add(user_id)
    for first, ids in first_names.items():
        if len(ids) == 1:
            handles[first] |= ids
    unique = [(handle, next(iter(ids))) for handle, ids in handles.items() if len(ids) == 1]
    return sorted(unique, key=lambda item: -len(item[0]))


def mentions_find(body: str, candidates: list[tuple[str, int]]) -> list[list]:
    """[[start, end, user id], …] for each "@handle" in `body` that names one staff member."""
    found, lower = [], body.lower()
    for match in re.finditer("@", body):
        at = match.start()
        if at > 0 and _BOUNDARY.match(body[at - 1]):
            continue  # an e-mail address (name@domain), not a mention
        for handle, user_id in candidates:
            end = at + 1 + len(handle)
            if lower.startswith(handle, at + 1) and (end == len(body) or not body[end].isalnum()
                                                     and body[end] != "_"):
                if end < len(body) and body[end] in ".-" and end + 1 < len(body) and body[end + 1].isalnum():
                    continue  # "@ivan.petrov" is not "@ivan"
                found.append([at, end, user_id])
                break
    return found


@transaction.atomic
def comment_add(*, agency: Agency, actor, task: ProjectTask, body: str) -> Comment:
    """A comment; the staff members it @mentions get "comment.mention" (not the author)."""
    body = body.strip()
    if not body:
        raise ServiceError(_("Write the comment first."), field="body", code="empty")
    comment = Comment(agency=agency, task=task, author=actor, body=body)
    comment.mentions = mentions_find(body, mention_candidates(agency=agency))
    comment.save()
    audit(agency=agency, actor=actor, action="task_comment.added", target=task)
    recipients = [uid for uid in comment.mentioned_user_ids if uid != getattr(actor, "pk", None)]
    if recipients:
        events.emit(events.Event(
            kind="comment.mention", agency_id=agency.pk, project_id=task.project_id, object_id=str(comment.pk),
            actor_id=getattr(actor, "pk", None), recipient_ids=recipients,
            url=_task_url(task) + f"#comment-{comment.pk}",
            context={"task": task.title, "excerpt": body[:200]}))
    return comment


@transaction.atomic
def comment_delete(*, agency: Agency, actor, comment: Comment) -> None:
    audit(agency=agency, actor=actor, action="task_comment.deleted", target=comment.task)
    Comment.objects.filter(agency=agency, pk=comment.pk).delete()


# Files ---------------------------------------------------------------------------------------------------------

@transaction.atomic
def attachment_upload(*, agency: Agency, actor, task: ProjectTask, upload, name: str,
                      content_type: str, client_visible: bool = False) -> TaskAttachment:
    """Store an upload already checked by projects.forms_work (mrm.core.uploads) as a file of the task."""
    ext = os.path.splitext(upload.name)[1].lower()
    name = (name or os.path.splitext(upload.name)[0]).strip()[:200] or "file"
    attachment = TaskAttachment(agency=agency, task=task, name=name, content_type=content_type, size=upload.size,
                                client_visible=client_visible,
                                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None)
    # The stored name is ours (ASCII-safe, fixed extension); the display name keeps what the user typed.
    stored = get_valid_filename(os.path.splitext(upload.name)[0])[:80] or "file"
    attachment.file.save(f"{stored}{ext}", upload, save=False)
    path, storage = attachment.file.name, attachment.file.storage
    try:
        attachment.save()
    except Exception:
        storage.delete(path)
        raise
    audit(agency=agency, actor=actor, action="task_attachment.uploaded", target=task,
          changes={"file": (None, attachment.name)})
    return attachment


@transaction.atomic
def attachment_set_client_visible(*, agency: Agency, actor, attachment: TaskAttachment,
                                  client_visible: bool) -> TaskAttachment:
    """Share a file with the client as a deliverable (the portal lists it when its task is client-visible),
    or take it back. Idempotent: the same value twice writes and audits nothing the second time."""
    if attachment.client_visible == client_visible:
        return attachment
    TaskAttachment.objects.filter(agency=agency, pk=attachment.pk).update(client_visible=client_visible)
    audit(agency=agency, actor=actor, action="task_attachment.shared" if client_visible else "task_attachment.unshared",
          target=attachment.task,
          changes={"file": (None, attachment.name) if client_visible else (attachment.name, None)})
    attachment.client_visible = client_visible
    return attachment


@transaction.atomic
def attachment_delete(*, agency: Agency, actor, attachment: TaskAttachment) -> None:
    """Delete the file; its bytes leave storage only once the deletion is committed."""
    path, storage = attachment.file.name, attachment.file.storage
    audit(agency=agency, actor=actor, action="task_attachment.deleted", target=attachment.task,
          changes={"file": (attachment.name, None)})
    TaskAttachment.objects.filter(agency=agency, pk=attachment.pk).delete()
    transaction.on_commit(lambda: storage.delete(path))
