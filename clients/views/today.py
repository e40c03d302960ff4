"""The CRM's blocks on the Today page (mrm.core.views.TODAY_SECTIONS): each is `(request) -> dict` with the
template to include; clients/today.py registers them. Every block has its own empty state."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mrm.core.url_makers import url_maker

from ..models import Client, Interaction
from ..selectors.today import clients_without_contact, today_tasks, unanswered_messages
from .task_rows import with_links


def _tasks(request) -> dict:
    # Cached on the request: the three task blocks share one set of queries.
    if not hasattr(request, "_crm_today_tasks"):
        buckets = today_tasks(agency=request.agency, membership=request.membership, user=request.user)
        today_url = reverse("core:today")
        for bucket in buckets.values():
            bucket.items = with_links(bucket.items, next_url=today_url)
        request._crm_today_tasks = buckets
    return request._crm_today_tasks


def overdue_tasks_section(request) -> dict:
    return {"template": "clients/today_tasks.html", "key": "overdue", "width": "col-xl-6", "title": _("Overdue"),
            "icon": "ti-alarm", "tone": "danger", "bucket": _tasks(request)["overdue"],
            "empty": _("Nothing overdue. Nice."), "more_url_query": "overdue=on"}


def due_today_section(request) -> dict:
    return {"template": "clients/today_tasks.html", "key": "today", "width": "col-xl-6", "title": _("Due today"),
            "icon": "ti-calendar-due", "tone": "primary", "bucket": _tasks(request)["today"],
            "empty": _("No tasks due today. Plan the next step with a client?"), "more_url_query": ""}


def follow_ups_section(request) -> dict:
    return {"template": "clients/today_tasks.html", "key": "follow-ups", "width": "col-xl-6", "title": _("Follow-ups due"),
            "icon": "ti-arrow-forward-up", "tone": "purple", "bucket": _tasks(request)["follow_ups"],
            "empty": _("No follow-ups due. Every conversation has its next step."), "more_url_query": "kind=follow_up"}


def no_contact_section(request) -> dict:
    bucket, days = clients_without_contact(agency=request.agency, membership=request.membership)
    detail, statuses = url_maker("clients:detail"), dict(Client.Status.choices)
    for client in bucket.items:  # a row's URL and label without a reverse() or get_…_display per row (issue 15)
        client.detail_url, client.status_label = detail(client.pk), statuses.get(client.status, client.status)
    return {"template": "clients/today_no_contact.html", "key": "no-contact", "width": "col-12", "bucket": bucket, "days": days}


def unanswered_section(request) -> dict:
    bucket = unanswered_messages(agency=request.agency, membership=request.membership)
    detail, reply, channels = url_maker("clients:detail"), url_maker("clients:interaction_create"), dict(
        Interaction.Channel.choices)
    for message in bucket.items:
        message.client_url, message.reply_url = detail(message.client_id), f"{reply(message.client_id)}?reply_to={message.pk}"
        message.channel_label = channels.get(message.channel, message.channel)
    return {"template": "clients/today_unanswered.html", "key": "unanswered", "width": "col-xl-6", "bucket": bucket}


SECTIONS = (unanswered_section, overdue_tasks_section, due_today_section, follow_ups_section, no_contact_section)
