"""`ProjectTask.logged_hours`: the sum of the task's time entries, stored on the task.

Every service that writes a time entry (projects.services.time) calls `task_logged_refresh` with the tasks it
touched, inside its transaction; bulk loaders (demo data, benchmarks) call `agency_logged_refresh` once at the end.
The sum is recomputed in SQL from the entries, never incremented, so a refresh is always exact."""
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from mrm.tenancy.models import Agency

from ..models import ProjectTask, TimeEntry

HOURS = DecimalField(max_digits=9, decimal_places=2)


def _sum():
    return Coalesce(Subquery(TimeEntry.objects.filter(task=OuterRef("pk")).order_by().values("task")
                             .annotate(s=Sum("hours")).values("s"), output_field=HOURS),
                    Value(Decimal("0")), output_field=HOURS)


def task_logged_refresh(*, agency: Agency, task_ids) -> None:
    ids = {task_id for task_id in task_ids if task_id}
    if ids:
        ProjectTask.objects.filter(agency=agency, pk__in=ids).update(logged_hours=_sum())


def agency_logged_refresh(*, agency: Agency) -> int:
    """Recompute every task of the agency (after a bulk load); the number of tasks."""
    return ProjectTask.objects.filter(agency=agency).update(logged_hours=_sum())
