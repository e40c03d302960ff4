"""Demo delivery for `seed_demo`: per agency, a project made from an accepted КП through the real hand-off
(outbox row → receiver), a retainer with three months of time, and a one-off that is late and over budget.
Deterministic (a Random seeded with the agency's slug, dates relative to today) and safe to run again."""
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clients.models import Client, Contact, Deal
from mrm.jobs.outbox import outbox_write
from mrm.tenancy.models import Membership
from proposals import crm
from proposals import handoff as proposal_handoff
from proposals.models import Decision, Proposal, RateRole, Service
from proposals.services import editor, sending

from .calendar import work_calendar
from .models import BudgetLine, Milestone, Project, ProjectMember, ProjectTask, TimeEntry, Workstream
from .services.handoff import handoff_key
from .services.logged import agency_logged_refresh

D = Decimal
KP_SERVICES = (("Аудит маркетинга и конкурентов", 16), ("Креативная концепция", 24),
               ("Дизайн рекламных макетов", 20), ("Настройка Яндекс Директ", 16))


def _first_day_months_ago(today: date, months: int) -> date:
    year, month = today.year, today.month - months
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, 1)


@transaction.atomic
def seed_projects(*, agency, members: dict[str, Membership]) -> None:
    if Project.objects.filter(agency=agency).exists() or not RateRole.objects.filter(agency=agency).exists():
        return
    rng = random.Random(agency.slug)
    roles = {r.name: r for r in RateRole.objects.filter(agency=agency)}
    am, pm = members["am"].user, members["pm"].user
    clients = list(Client.objects.filter(agency=agency, owner=am, status=Client.Status.ACTIVE).order_by("name"))
    if len(clients) < 3:
        clients = list(Client.objects.filter(agency=agency, owner=am).order_by("name"))
    if len(clients) < 3:
        return
    _accepted_project(agency=agency, client=clients[-1], am=am, pm=pm)
    _retainer(agency=agency, client=clients[-2], members=members, roles=roles, rng=rng)
    _late_project(agency=agency, client=clients[-3], members=members, roles=roles, rng=rng)
    agency_logged_refresh(agency=agency)  # the entries went in with bulk_create


def _accepted_project(*, agency, client, am, pm) -> None:
    """A КП built with the editor, frozen, accepted by the client, handed off through the outbox."""
    contact = Contact.objects.filter(agency=agency, client=client).order_by("-is_primary", "created_at").first()
    deal = crm.deal_create(agency=agency, actor=am, client=client, title=f"{client.name}: запуск новой линейки",
                           service_lines=[Deal.ServiceLine.STRATEGY, Deal.ServiceLine.CREATIVE,
                                          Deal.ServiceLine.CONTEXT],
                           owner=am)
    proposal = editor.proposal_create(agency=agency, actor=am, client=client, deal=deal,
                                      title=f"Запуск новой линейки — {client.name}")
    editor.section_add(agency=agency, actor=am, proposal=proposal, title="Как мы поняли задачу",
                       body="Вывести новую линейку на рынок за квартал: концепция, макеты, контекстная реклама.",
                       kind="understanding")
    services = {s.name: s for s in Service.objects.filter(agency=agency, name__in=[n for n, _ in KP_SERVICES])}
    for name, hours in KP_SERVICES:
        if name in services:
            editor.line_add(agency=agency, actor=am, proposal=proposal, service=services[name], hours=hours)
    editor.team_add(agency=agency, actor=am, proposal=proposal, user=pm, role_title="Проектный менеджер")
    version = sending.version_freeze(agency=agency, actor=am, proposal=proposal)
    now = timezone.now()
    Proposal.objects.filter(agency=agency, pk=proposal.pk).update(
        status=Proposal.Status.ACCEPTED, sent_at=now - timedelta(days=5), decided_at=now - timedelta(days=1))
    Decision.objects.create(agency=agency, proposal=proposal, version=version, version_hash=version.content_hash,
                            contact=contact, kind=Decision.Kind.ACCEPTED,
                            signed_name=contact.full_name if contact and len(contact.full_name.split()) > 1
                            else "Ирина Павлова", comment="Согласовано, стартуем.")
    crm.deal_move(agency=agency, actor=am, deal=deal, stage=Deal.Stage.WON, amount=version.total)
    accepted = proposal_handoff.AcceptedProposal(
        agency_id=agency.pk, proposal_id=proposal.pk, version_id=version.pk, version_number=version.number,
        version_hash=version.content_hash, client_id=client.pk, deal_id=deal.pk, owner_id=am.pk,
        total=version.total, currency=proposal.currency, snapshot=version.snapshot)
    # The outbox row as the acceptance writes it, delivered at once (no worker needed for the demo).
    event, _created = outbox_write(agency=agency, kind=proposal_handoff.KIND,
                                   key=handoff_key(proposal_id=proposal.pk, version_hash=version.content_hash),
                                   payload=accepted.to_payload())
    proposal_handoff.handoff_deliver(agency=agency, event_id=event.pk)
    Project.objects.filter(agency=agency, proposal=proposal).update(manager=pm)


def _member(agency, project, user, role, title) -> None:
    ProjectMember.objects.get_or_create(agency=agency, project=project, user=user,
                                        defaults={"role": role, "title": title})


def _budget(agency, project, plan) -> None:
    lines = []
    for role, hours in plan:
        lines.append(BudgetLine(agency=agency, project=project, role=role, role_name=role.name, hours=D(hours),
                                sell_rate=role.hourly_rate, cost_rate=role.cost_rate,
                                amount=(D(hours) * role.hourly_rate).quantize(D("0.01")),
                                cost_amount=(D(hours) * role.cost_rate).quantize(D("0.01")),
                                source=BudgetLine.Source.MANUAL))
    BudgetLine.objects.bulk_create(lines)
    project.budget_hours = sum((b.hours for b in lines), D("0"))
    project.budget_amount = sum((b.amount for b in lines), D("0"))
    project.budget_cost = sum((b.cost_amount for b in lines), D("0"))
    project.save(update_fields=["budget_hours", "budget_amount", "budget_cost", "updated_at"])


def _entries(*, agency, project, days, people, rng, tasks, per_day=(1, 4), chance=0.6) -> list[TimeEntry]:
    """Time of `people` [(user, role)] on the working `days`: a few hours on most days, on the tasks."""
    entries = []
    for day in days:
        for user, role in people:
            if rng.random() > chance:
                continue
            task = rng.choice(tasks) if tasks else None
            entries.append(TimeEntry(agency=agency, project=project, task=task, user=user, role=role, date=day,
                                     hours=D(rng.randint(per_day[0] * 2, per_day[1] * 2)) / 2,
                                     sell_rate=role.hourly_rate, cost_rate=role.cost_rate,
                                     note=task.title[:500] if task else ""))
    return entries


def _role(roles, *names):
    for name in names:
        if name in roles:
            return roles[name]
    return next(iter(roles.values()))


def _retainer(*, agency, client, members, roles, rng) -> None:
    today = timezone.localdate()
    start = _first_day_months_ago(today, 3)
    am, pm = members["am"].user, members["pm"].user
    smm, ppc = _role(roles, "SMM-менеджер"), _role(roles, "Специалист по контекстной рекламе", "Таргетолог")
    project = Project.objects.create(
        agency=agency, client=client, name=f"{client.name}: ведение соцсетей и контекста", kind=Project.Kind.RETAINER,
        status=Project.Status.ACTIVE, start_date=start, manager=pm, account_manager=am, currency=agency.currency,
        retainer_hours=D("60"), retainer_amount=D("180000"), rollover=Project.Rollover.CARRY_CAPPED,
        rollover_cap_hours=D("15"), approval_days=2,
        description="Ежемесячно: контент-план, 12 постов, модерация, ведение рекламных кампаний и отчёт.")
    _member(agency, project, am, None, "Аккаунт-менеджер")
    _member(agency, project, pm, smm, "SMM и контекст")
    _budget(agency, project, [(smm, "40"), (ppc, "20")])  # the monthly plan by role
    project.retainer_amount = project.budget_amount
    project.save(update_fields=["retainer_amount", "updated_at"])
    streams = {d: Workstream.objects.create(agency=agency, project=project, discipline=d, name=n, order=i)
               for i, (d, n) in enumerate((("smm", "SMM"), ("context", "Контекстная реклама")))}
    calendar = work_calendar(agency=agency, start=start - timedelta(days=7), end=today + timedelta(days=60))
    tasks = []
    month = start
    for i in range(4):  # three past months and the current one
        last = (_first_day_months_ago(month, -1) - timedelta(days=1))
        current = month <= today <= last
        milestone = Milestone.objects.create(
            agency=agency, project=project, title=f"Отчёт за {month:%m.%Y}", due_date=last, baseline_due_date=last,
            order=i, reached_at=None if current else timezone.make_aware(datetime.combine(last, time(17, 0))))
        for j, (title, stream, role, hours) in enumerate((
                ("Контент-план на месяц", "smm", smm, 6), ("Публикации и модерация", "smm", smm, 30),
                ("Оптимизация кампаний", "context", ppc, 16), ("Отчёт клиенту", "smm", smm, 4))):
            task_start = calendar.add_working_days(month, 0)
            done = not current or j == 0
            tasks.append(ProjectTask(
                agency=agency, project=project, workstream=streams[stream], milestone=milestone, title=title,
                role=role, assignee=pm if role == smm else am, estimate_hours=D(hours), start_date=task_start,
                due_date=last, baseline_start_date=task_start, baseline_due_date=last,
                status=ProjectTask.Status.DONE if done else ProjectTask.Status.IN_PROGRESS,
                completed_at=timezone.now() - timedelta(days=(today - last).days) if done else None,
                position=i * 10 + j, client_visible=j == 3))
        month = _first_day_months_ago(month, -1)
    ProjectTask.objects.bulk_create(tasks)
    days = calendar.working_days(start, today - timedelta(days=1))
    TimeEntry.objects.bulk_create(_entries(agency=agency, project=project, days=days,
                                           people=[(pm, smm), (am, ppc)], rng=rng, tasks=tasks, per_day=(1, 3)))


def _late_project(*, agency, client, members, roles, rng) -> None:
    """A site redesign that should have ended ten days ago and spent more hours than sold."""
    today = timezone.localdate()
    start, end = today - timedelta(days=75), today - timedelta(days=10)
    am, pm, am2 = members["am"].user, members["pm"].user, members["am2"].user
    designer, art = _role(roles, "Дизайнер"), _role(roles, "Арт-директор")
    pm_role = _role(roles, "Проектный менеджер")
    project = Project.objects.create(
        agency=agency, client=client, name=f"{client.name}: редизайн сайта", kind=Project.Kind.ONE_OFF,
        status=Project.Status.ACTIVE, start_date=start, end_date=end, manager=pm, account_manager=am,
        currency=agency.currency, approval_days=3,
        description="Новый дизайн главной и каталога; верстку делает подрядчик клиента.")
    _member(agency, project, pm, pm_role, "Проектный менеджер")
    _member(agency, project, am2, designer, "Дизайнер")
    _member(agency, project, am, art, "Арт-директор")
    _budget(agency, project, [(art, "16"), (designer, "48"), (pm_role, "12")])
    stream = Workstream.objects.create(agency=agency, project=project, discipline="creative", name="Креатив", order=0)
    calendar = work_calendar(agency=agency, start=start - timedelta(days=7), end=today + timedelta(days=30))
    plan = (("Прототипы", start + timedelta(days=20), True), ("Дизайн главной", start + timedelta(days=45), True),
            ("Дизайн каталога", end, False))
    tasks = []
    for i, (title, due, reached) in enumerate(plan):
        milestone = Milestone.objects.create(
            agency=agency, project=project, title=title, due_date=due, baseline_due_date=due, order=i,
            reached_at=timezone.now() - timedelta(days=(today - due).days - 2) if reached else None)
        for j, (task_title, assignee, role, hours, status) in enumerate((
                (f"{title}: черновик", am2, designer, 12, "done" if reached else "review"),
                (f"{title}: согласование с клиентом", pm, pm_role, 3,
                 "done" if reached else "client_approval"),
                (f"{title}: правки", am2, designer, 6, "done" if reached else "in_progress"))):
            task_due = due - timedelta(days=4 - 2 * j)
            task_start = max(start, task_due - timedelta(days=10))
            tasks.append(ProjectTask(
                agency=agency, project=project, workstream=stream, milestone=milestone, title=task_title,
                assignee=assignee, role=role, estimate_hours=D(hours), start_date=task_start, due_date=task_due,
                baseline_start_date=task_start, baseline_due_date=task_due, status=status,
                status_changed_at=timezone.now() - timedelta(days=6) if status == "client_approval" else None,
                completed_at=timezone.now() - timedelta(days=(today - task_due).days) if status == "done" else None,
                position=i * 10 + j, client_visible=j == 1))
    ProjectTask.objects.bulk_create(tasks)
    days = calendar.working_days(start, today - timedelta(days=1))
    entries = _entries(agency=agency, project=project, days=days,
                       people=[(am2, designer), (pm, pm_role), (am, art)], rng=rng, tasks=tasks, per_day=(1, 3),
                       chance=0.3)
    TimeEntry.objects.bulk_create(entries)
