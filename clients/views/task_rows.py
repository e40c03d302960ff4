"""What a task row (`clients/blocks/task_row.html`) shows besides the task, computed once per list: its URLs,
the page to come back to, whether it is due today and its due time as shown. A list of rows used to spend a third
of its template time in `{% url %}` and date filters (issue 15); every view that renders task rows passes them
through `with_links`."""
from urllib.parse import quote

from django.utils import dateformat, formats, timezone
from django.utils.translation import gettext

from mrm.core.freshness import changes_at
from mrm.core.url_makers import url_maker

from ..models import Task


def with_links(tasks, *, next_url: str) -> list[Task]:
    """`tasks` with `toggle_url`, `edit_url` (back to `next_url`), `client_url`, `next_url`, `due_today`, and the
    due time as the row shows it: `due_label` ("today 18:00" or "7 Dec, 18:00") and `due_title` (the full date)."""
    tasks = list(tasks)
    toggle, edit, client = url_maker("clients:task_toggle"), url_maker("clients:task_edit"), url_maker("clients:detail")
    back = "?next=" + quote(next_url, safe="/")
    today, now = timezone.localdate(), timezone.now()
    # What the `date` filters did per row, with the formats looked up once (two filters were 40 % of a row's time).
    full, short, today_word = formats.get_format("DATETIME_FORMAT"), "j M, H:i", gettext("today")
    for task in tasks:
        if task.done_at is None and task.due_at is not None and task.due_at > now:
            changes_at(task.due_at)  # the row turns overdue then (a cached block keeps it no longer)
        task.toggle_url, task.edit_url, task.next_url = toggle(task.pk), edit(task.pk) + back, next_url
        task.client_url = client(task.client_id) if task.client_id else ""
        task.due_today, task.due_label, task.due_title = False, "", ""
        if task.due_at is not None:
            local = timezone.localtime(task.due_at)
            task.due_today = local.date() == today
            task.due_title = dateformat.format(local, full)
            task.due_label = f"{today_word} {local:%H:%M}" if task.due_today else dateformat.format(local, short)
    return tasks
