"""What a task row (`clients/blocks/task_row.html`) shows besides the task, computed once per list: its URLs,
the page to come back to, and whether it is due today. A list of rows used to spend a third of its template time
in `{% url %}` and date filters (issue 15); every view that renders task rows passes them through `with_links`."""
from urllib.parse import quote

from django.utils import timezone

from mrm.core.freshness import changes_at
from mrm.core.url_makers import url_maker

from ..models import Task


def with_links(tasks, *, next_url: str) -> list[Task]:
    """`tasks` with `toggle_url`, `edit_url` (back to `next_url`), `client_url`, `next_url` and `due_today`."""
    tasks = list(tasks)
    toggle, edit, client = url_maker("clients:task_toggle"), url_maker("clients:task_edit"), url_maker("clients:detail")
    back = "?next=" + quote(next_url, safe="/")
    today, now = timezone.localdate(), timezone.now()
    for task in tasks:
        if task.done_at is None and task.due_at is not None and task.due_at > now:
            changes_at(task.due_at)  # the row turns overdue then (a cached block keeps it no longer)
        task.toggle_url, task.edit_url, task.next_url = toggle(task.pk), edit(task.pk) + back, next_url
        task.client_url = client(task.client_id) if task.client_id else ""
        task.due_today = task.due_at is not None and timezone.localdate(task.due_at) == today
    return tasks
