"""The alert engine: load one project's facts (a constant number of queries), run the rules, and bring the
project's open alerts in line with the findings:

- a new finding raises an alert (and emits "alert.raised");
- a finding that is still there updates its alert (last seen, value, severity, reason);
- an acknowledged alert stays quiet unless it got worse (`rules.is_worse`): then its acknowledgement is
  cleared and it is raised again (emitted again);
- an open alert without a finding any more is resolved.

The project row is locked for the evaluation (`select_for_update`), so the hourly sweep and an on-change run
of the same project queue behind each other instead of both raising; the partial unique constraint (one open
alert per project, kind and subject) is the last guard.
"""
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from clients.models import Client, Interaction
from mrm.tenancy.models import Agency

from .. import events
from ..calendar import WorkCalendar, work_calendar
from ..models import Alert, Milestone, Project, ProjectTask, TaskDependency, TimeEntry
from . import rules
from .selectors import alert_badge_changed

logger = logging.getLogger(__name__)
ZERO = Decimal("0")


@dataclass(frozen=True)
class EvaluationResult:
    raised: int = 0
    updated: int = 0
    resolved: int = 0


def _url(name: str, *args, fallback: str = "") -> str:
    """A link to another area's page when it exists on this build, else the fallback (the project page)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def _local_date(moment) -> date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def project_facts(*, project: Project, agency: Agency, today: date) -> rules.ProjectFacts:
    """The plain facts the rules read: 5 queries whatever the size of the project."""
    project_url = reverse("projects:detail", args=[project.pk])
    task_url = lambda pk: _url("projects:task_detail", project.pk, pk, fallback=project_url)  # noqa: E731
    milestone_url = _url("projects:timeline", project.pk, fallback=project_url)
    tasks = tuple(
        rules.TaskFacts(
            id=str(row["pk"]), title=row["title"], status=row["status"], estimate_hours=row["estimate_hours"],
            logged_hours=row["logged_hours"], due_date=row["due_date"],
            milestone_id=str(row["milestone_id"]) if row["milestone_id"] else None,
            status_changed_on=_local_date(row["status_changed_at"]), url=task_url(row["pk"]))
        for row in ProjectTask.objects.filter(agency=agency, project=project)  # logged_hours: kept by the time services
        .values("pk", "title", "status", "estimate_hours", "logged_hours", "due_date", "milestone_id",
                "status_changed_at"))
    milestones = tuple(
        rules.MilestoneFacts(id=str(m["pk"]), title=m["title"], due_date=m["due_date"],
                             reached=m["reached_at"] is not None, url=milestone_url)
        for m in Milestone.objects.filter(agency=agency, project=project).values("pk", "title", "due_date",
                                                                                 "reached_at"))
    dependencies = tuple(
        (str(p), str(s)) for p, s in TaskDependency.objects.filter(agency=agency, successor__project=project)
        .values_list("predecessor_id", "successor_id"))
    money = ExpressionWrapper(F("hours") * F("sell_rate"), output_field=DecimalField(max_digits=20, decimal_places=4))
    window_start = today - timedelta(days=rules.PACE_WINDOW_DAYS)
    time = TimeEntry.objects.filter(agency=agency, project=project).aggregate(
        spent_hours=Coalesce(Sum("hours"), ZERO, output_field=DecimalField()),
        spent_amount=Coalesce(Sum(money), ZERO, output_field=DecimalField()),
        recent_hours=Coalesce(Sum("hours", filter=Q(date__gte=window_start, date__lt=today)), ZERO,
                              output_field=DecimalField()),
        month_hours=Coalesce(Sum("hours", filter=Q(date__gte=today.replace(day=1), date__lte=today)), ZERO,
                             output_field=DecimalField()))
    last_contact = Interaction.objects.filter(agency=agency, client=OuterRef("pk")).exclude(
        direction=Interaction.Direction.INTERNAL).order_by().values("client").annotate(
        last=Max("occurred_at")).values("last")
    client = Client.objects.filter(agency=agency, pk=project.client_id).annotate(
        last_interaction=Subquery(last_contact)).values("pk", "name", "last_interaction",
                                                        "agreement__contact_every_days").first() or {}
    started = project.start_date or _local_date(project.created_at)
    return rules.ProjectFacts(
        id=str(project.pk), name=project.name, status=project.status, kind=project.kind, url=project_url,
        currency=project.currency, budget_hours=project.budget_hours, budget_amount=project.budget_amount,
        retainer_hours=project.retainer_hours, approval_days=project.approval_days, tasks=tasks,
        milestones=milestones, dependencies=dependencies, recent_hours=time["recent_hours"],
        spent_hours=time["spent_hours"], spent_amount=time["spent_amount"], month_hours=time["month_hours"],
        client_id=str(project.client_id), client_name=client.get("name", ""),
        client_url=_url("clients:detail", project.client_id, fallback=project_url),
        last_contact_on=_local_date(client.get("last_interaction")),
        contact_every_days=client.get("agreement__contact_every_days"),
        no_contact_days=agency.no_contact_days, started_on=started)


def _render_reason(finding: rules.Finding) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return finding.reason


def _recipients(project: Project) -> list[int]:
    return list(dict.fromkeys(pk for pk in (project.manager_id, project.account_manager_id) if pk))


def _emit_raised(alert: Alert, project: Project) -> None:
    events.emit(events.Event(
        kind="alert.raised", agency_id=alert.agency_id, project_id=project.pk, object_id=str(alert.pk),
        recipient_ids=_recipients(project), url=alert.url or reverse("projects:alerts", args=[project.pk]),
        context={"kind": alert.kind, "severity": alert.severity, "reason": alert.reason,
                 "subject": alert.subject_label, "project": project.name}))


@transaction.atomic
def evaluate_project(*, project: Project, today: date | None = None, calendar: WorkCalendar | None = None,
                     now=None) -> EvaluationResult:
    """Evaluate one project and upsert its alerts (see the module docstring). `calendar` may be passed by a
    sweep that already loaded the agency's; otherwise it costs one query."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    # The lock: evaluations of one project never overlap.
    project = (Project.objects.select_for_update(of=("self",)).select_related("agency")
               .filter(agency_id=project.agency_id, pk=project.pk).first())
    if project is None:
        return EvaluationResult()
    agency = project.agency
    calendar = calendar or work_calendar(agency=agency)
    facts = project_facts(project=project, agency=agency, today=today)
    findings = {(f.kind, f.subject_key): f for f in rules.evaluate(facts, today=today, calendar=calendar)}
    open_alerts = {(a.kind, a.subject_key): a for a in Alert.objects.filter(
        agency=agency, project=project, resolved_at__isnull=True)}

    created, changed, raised_again = [], [], []
    for key, finding in findings.items():
        alert = open_alerts.get(key)
        fields = {"severity": finding.severity, "reason": _render_reason(finding), "params": finding.params,
                  "url": finding.url[:500], "value": finding.value, "subject_label": finding.subject_label[:300],
                  "last_seen_at": now}
        if alert is None:
            created.append(Alert(agency=agency, project=project, kind=finding.kind, subject_key=finding.subject_key,
                                 first_raised_at=now, raised_at=now, **fields))
            continue
        for name, value in fields.items():
            setattr(alert, name, value)
        if alert.is_acknowledged and rules.is_worse(
                kind=alert.kind, acknowledged_value=alert.acknowledged_value, value=finding.value,
                acknowledged_severity=alert.acknowledged_severity, severity=finding.severity):
            alert.acknowledged_at = alert.acknowledged_by = alert.acknowledged_value = None
            alert.acknowledged_severity = ""
            alert.raised_at = now
            raised_again.append(alert)
        changed.append(alert)
    Alert.objects.bulk_create(created)
    if changed:
        Alert.objects.bulk_update(changed, ["severity", "reason", "params", "url", "value", "subject_label",
                                            "last_seen_at", "acknowledged_at", "acknowledged_by",
                                            "acknowledged_value", "acknowledged_severity", "raised_at"])
    gone = [a.pk for key, a in open_alerts.items() if key not in findings]
    if gone:
        Alert.objects.filter(agency=agency, pk__in=gone).update(resolved_at=now)
    if created or changed or gone:
        alert_badge_changed(agency_id=agency.pk)
    for alert in [*created, *raised_again]:
        _emit_raised(alert, project)
    return EvaluationResult(raised=len(created) + len(raised_again), updated=len(changed) - len(raised_again),
                            resolved=len(gone))


def projects_to_evaluate(*, agency: Agency):
    """The sweep's projects: every open one, and closed ones that still have open alerts (to resolve them)."""
    with_open_alerts = Alert.objects.filter(agency=agency, resolved_at__isnull=True).values("project_id")
    return (Project.objects.filter(agency=agency)
            .filter(Q(status__in=Project.OPEN_STATUSES) | Q(pk__in=with_open_alerts)).order_by("pk"))


def evaluate_agency(*, agency: Agency, batch_size: int = 100, today: date | None = None) -> EvaluationResult:
    """Every project of the agency, `batch_size` ids at a time, each in its own transaction (a failure of one
    project is logged and does not stop the others)."""
    calendar = work_calendar(agency=agency)
    totals = [0, 0, 0]
    last_pk = None
    while True:
        qs = projects_to_evaluate(agency=agency)
        if last_pk is not None:
            qs = qs.filter(pk__gt=last_pk)
        batch = list(qs.only("pk", "agency_id")[:batch_size])
        if not batch:
            break
        for project in batch:
            try:
                result = evaluate_project(project=project, today=today, calendar=calendar)
            except Exception:
                logger.exception("alerts: evaluating project %s failed", project.pk)
                continue
            totals[0] += result.raised
            totals[1] += result.updated
            totals[2] += result.resolved
        last_pk = batch[-1].pk
    return EvaluationResult(*totals)
