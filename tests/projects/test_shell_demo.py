"""seed_demo's delivery part (projects.demo): a project handed off from an accepted КП, a retainer, and a late,
over-budget one-off, with time for the last three months; running it again adds nothing."""
import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from django_scopes import scopes_disabled

from mrm.jobs.models import OutboxEvent
from projects.models import Project, ProjectTask, TimeEntry

pytestmark = pytest.mark.django_db


def _counts():
    with scopes_disabled():
        return {m.__name__: m.objects.count() for m in (Project, ProjectTask, TimeEntry)}


def test_seed_demo_builds_the_delivery_portfolio_once():
    call_command("seed_demo", quiet=True)
    first = _counts()
    today = timezone.localdate()
    with scopes_disabled():
        for slug in ("sever-digital", "piksel-media"):
            projects = Project.objects.filter(agency__slug=slug)
            handed = projects.exclude(handoff_key="").get()
            assert handed.proposal.status == "accepted" and handed.status == "planning"
            assert handed.tasks.count() >= 3 and handed.budget_lines.filter(source="proposal").exists()
            assert OutboxEvent.objects.get(agency__slug=slug, kind="proposal.accepted").processed_at
            retainer = projects.get(kind="retainer")
            months = {e.month for e in TimeEntry.objects.filter(project=retainer).dates("date", "month")}
            assert len(months) >= 3
            late = projects.get(kind="one_off", handoff_key="", end_date__lt=today)
            spent = TimeEntry.objects.filter(project=late).aggregate(h=Sum("hours"))["h"]
            assert spent > late.budget_hours
            assert ProjectTask.objects.filter(project=late, due_date__lt=today).exclude(status="done").exists()
            assert not ProjectTask.objects.filter(project__agency__slug=slug, assignee=None,
                                                  project=late).exists()
    call_command("seed_demo", quiet=True)
    assert _counts() == first
