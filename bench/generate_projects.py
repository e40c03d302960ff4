"""Fill an agency with delivery data for the projects benchmark.

    MRM_VAR_DIR=/tmp/mrm-bench .venv/bin/python -m bench.generate_projects --projects 2000 \\
        [--tasks 60000] [--entries 300000] [--big-project-tasks 300] [--agency-slug sever-digital]

Spreads the projects over the agency's clients (run `seed_demo` and `bench.generate` first), 4 workstreams and
3–6 milestones per project, tasks with assignees, estimates, dates and finish-to-start chains, and time entries
over the last 6 months. The first project gets `--big-project-tasks` tasks (the 300-task board and timeline).
Everything goes in with bulk_create, in batches.
"""
import argparse
import os
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal

BATCH = 200  # projects per transaction


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=60000)
    parser.add_argument("--entries", type=int, default=300000)
    parser.add_argument("--big-project-tasks", type=int, default=300)
    parser.add_argument("--agency-slug", default="sever-digital")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mrm.settings.base")
    import django

    django.setup()
    from django_scopes import scope

    from mrm.tenancy.models import Agency

    agency = Agency.objects.filter(slug=args.agency_slug).first()
    if agency is None:
        parser.exit(2, f"No agency with slug {args.agency_slug!r}: run `manage.py seed_demo` first.\n")
    started = time.monotonic()
    with scope(agency=agency):
        counts = generate(agency=agency, projects=args.projects, tasks=args.tasks, entries=args.entries,
                          big=args.big_project_tasks, rng=random.Random(args.seed))
        from projects.services.logged import agency_logged_refresh

        agency_logged_refresh(agency=agency)  # the tasks' logged hours, after the bulk inserts
    from bench.generate import analyze

    analyze()
    print(f"{agency.name}: " + ", ".join(f"{v} {k}" for k, v in counts.items())
          + f" in {time.monotonic() - started:.1f} s")


def generate(*, agency, projects: int, tasks: int, entries: int, big: int, rng: random.Random) -> dict[str, int]:
    from django.db import transaction
    from django.utils import timezone

    from clients.models import Client
    from mrm.tenancy.models import Membership, Role
    from projects.models import (
        BudgetLine,
        Milestone,
        Project,
        ProjectMember,
        ProjectTask,
        TaskDependency,
        TimeEntry,
        Workstream,
    )
    from proposals.models import RateRole

    people = list(Membership.objects.filter(agency=agency, is_active=True).exclude(role=Role.CLIENT)
                  .select_related("user"))
    managers = [m.user for m in people if m.role in (Role.DIRECTOR, Role.AM)]
    doers = [m.user for m in people] or managers
    roles = list(RateRole.objects.filter(agency=agency, is_active=True)) or [None]
    client_ids = list(Client.objects.filter(agency=agency).values_list("pk", flat=True)[:20000])
    if not client_ids or not managers:
        raise SystemExit("The agency needs clients and managers: run seed_demo and bench.generate first.")
    today = timezone.localdate()
    per_project, extra = divmod(max(0, tasks - big), max(1, projects - 1))  # the first `extra` get one more
    entries_per_task, extra_entries = divmod(entries, max(1, tasks))
    counts = dict.fromkeys(("projects", "tasks", "dependencies", "time entries"), 0)
    statuses = ["active"] * 6 + ["planning", "paused", "done", "done"]
    for start in range(0, projects, BATCH):
        with transaction.atomic():
            batch = []
            for i in range(start, min(start + BATCH, projects)):
                begin = today - timedelta(days=rng.randint(0, 240))
                hours = Decimal(rng.randint(40, 600))
                batch.append(Project(
                    agency=agency, client_id=rng.choice(client_ids), name=f"Проект bench №{i + 1}",
                    kind=rng.choice(["one_off", "one_off", "retainer"]), status=rng.choice(statuses),
                    start_date=begin, end_date=begin + timedelta(days=rng.randint(30, 200)),
                    manager=rng.choice(doers), account_manager=rng.choice(managers), budget_hours=hours,
                    budget_amount=hours * 3500, budget_cost=hours * 1500))
            Project.objects.bulk_create(batch)
            members, lines, streams, stones = [], [], [], []
            for p in batch:
                for user in {p.manager, p.account_manager, *rng.sample(doers, min(3, len(doers)))}:
                    members.append(ProjectMember(agency=agency, project=p, user=user, role=rng.choice(roles)))
                for role in roles[:3]:
                    lines.append(BudgetLine(agency=agency, project=p, role=role, role_name=role.name if role else "—",
                                            hours=p.budget_hours / 3, sell_rate=3500, cost_rate=1500,
                                            amount=p.budget_amount / 3, cost_amount=p.budget_cost / 3,
                                            source="proposal"))
                for n, name in enumerate(("Стратегия", "Креатив", "Медиа", "Аналитика")):
                    streams.append(Workstream(agency=agency, project=p, name=name, order=n))
                for n in range(rng.randint(3, 6)):
                    due = p.start_date + timedelta(days=20 * (n + 1))
                    stones.append(Milestone(agency=agency, project=p, title=f"Этап {n + 1}", due_date=due,
                                            baseline_due_date=due - timedelta(days=rng.choice([0, 0, 3, 7])),
                                            order=n, client_visible=n % 2 == 0))
            ProjectMember.objects.bulk_create(members, ignore_conflicts=True)
            BudgetLine.objects.bulk_create(lines)
            Workstream.objects.bulk_create(streams)
            Milestone.objects.bulk_create(stones)
            by_project_streams, by_project_stones = {}, {}
            for w in streams:
                by_project_streams.setdefault(w.project_id, []).append(w)
            for m in stones:
                by_project_stones.setdefault(m.project_id, []).append(m)
            rows = []
            for k, p in enumerate(batch):
                index = start + k
                n_tasks = big if index == 0 else per_project + (1 if index - 1 < extra else 0)
                for n in range(n_tasks):
                    begin = p.start_date + timedelta(days=rng.randint(0, 120))
                    status = rng.choice(["todo", "todo", "in_progress", "review", "client_approval", "done", "done"])
                    rows.append(ProjectTask(
                        agency=agency, project=p, workstream=rng.choice(by_project_streams[p.pk]),
                        milestone=rng.choice(by_project_stones[p.pk]), title=f"Задача {n + 1}: макеты и тексты",
                        assignee=rng.choice(doers), role=rng.choice(roles),
                        estimate_hours=Decimal(rng.choice([2, 4, 6, 8, 12, 16, 24])), start_date=begin,
                        due_date=begin + timedelta(days=rng.randint(1, 20)), baseline_start_date=begin,
                        baseline_due_date=begin + timedelta(days=rng.randint(1, 15)), status=status, position=n,
                        completed_at=timezone.now() if status == "done" else None, client_visible=n % 3 == 0))
            ProjectTask.objects.bulk_create(rows, batch_size=2000)
            deps = [TaskDependency(agency=agency, predecessor=a, successor=b)
                    for a, b in zip(rows, rows[1:], strict=False) if a.project_id == b.project_id and rng.random() < .3]
            TaskDependency.objects.bulk_create(deps, batch_size=2000)
            times = []
            for task in rows:
                for _ in range(entries_per_task + (1 if rng.random() < extra_entries / max(1, tasks) else 0)):
                    times.append(TimeEntry(agency=agency, project_id=task.project_id, task=task, user=task.assignee,
                                           role=task.role, date=today - timedelta(days=rng.randint(0, 180)),
                                           hours=Decimal(rng.choice([0.5, 1, 1.5, 2, 3, 4])), sell_rate=3500,
                                           cost_rate=1500))
            TimeEntry.objects.bulk_create(times, batch_size=5000)
            counts["projects"] += len(batch)
            counts["tasks"] += len(rows)
            counts["dependencies"] += len(deps)
            counts["time entries"] += len(times)
        print(f"  {counts['projects']} / {projects} projects", file=sys.stderr)
    return counts


if __name__ == "__main__":
    main()
