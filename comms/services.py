"""Writes of client requests: open a thread, add a message (the client's or the agency's), close it.

The first outbound message fixes the thread's response time: business minutes from opening to that reply in the
agency's calendar (mrm.core.business_hours), compared with the agreed first response of the client's interaction
agreement (or the agency's KPI target without one). Notifications: the client's AM (directors when it has none)
hears of a new request or a client message; the contact who opened the request hears of the agency's answer.
"""
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.business_hours import add_business_minutes, business_calendar, business_minutes_between
from mrm.core.errors import ServiceError
from mrm.notifications.services import notify
from mrm.tenancy.models import Agency, KpiMetric, Membership, Role
from mrm.tenancy.services import audit

from .models import Attachment, Channel, ClientRequest, Direction, Message

BODY_MAX = 10_000


def target_minutes(*, agency: Agency, client) -> int | None:
    """The agreed first response for `client` in business minutes: its interaction agreement, else the KPI target."""
    from clients.models import InteractionAgreement
    from mrm.tenancy.selectors import kpi_target

    hours = (InteractionAgreement.objects.filter(agency=agency, client=client)
             .values_list("response_time_hours", flat=True).first())
    if hours is None:
        hours = kpi_target(agency=agency, metric=KpiMetric.RESPONSE_HOURS, am=client.owner, client=client)
    if hours is None or Decimal(hours) <= 0:
        return None
    return int(Decimal(hours) * 60)


def _calendar(*, agency: Agency, start, end=None):
    start_day = start.date() - timedelta(days=1)
    end_day = (end.date() + timedelta(days=1)) if end is not None else start_day + timedelta(days=400)
    return business_calendar(agency=agency, start=start_day, end=end_day)


def _save_attachments(*, agency: Agency, message: Message, uploads) -> None:
    for upload in uploads or []:
        Attachment.objects.create(agency=agency, message=message, file=upload, name=(upload.name or "file")[:200],
                                  content_type=getattr(upload, "content_type", "") or "application/octet-stream",
                                  size=upload.size)


def _staff_recipients(*, agency: Agency, client):
    if client.owner_id:
        return [client.owner]
    return [m.user for m in Membership.objects.filter(agency=agency, role=Role.DIRECTOR, is_active=True)
            .select_related("user")]


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ServiceError(_("Write a message."), field="body")
    if len(body) > BODY_MAX:
        raise ServiceError(_("The message is too long (at most %(n)d characters).") % {"n": BODY_MAX}, field="body")
    return body


def _add(*, agency: Agency, thread: ClientRequest, direction: str, body: str, author=None, contact=None,
         channel: str = Channel.PORTAL, external_message_id: str = "", uploads=None) -> Message:
    if external_message_id and Message.objects.filter(agency=agency, channel=channel,
                                                      external_message_id=external_message_id).exists():
        raise ServiceError(_("This message is stored already."), code="duplicate")
    message = Message.objects.create(agency=agency, thread=thread, channel=channel, direction=direction,
                                     external_message_id=external_message_id[:255], author=author,
                                     author_contact=contact, body=body)
    _save_attachments(agency=agency, message=message, uploads=uploads)
    return message


@transaction.atomic
def request_open(*, agency: Agency, actor, client, contact, kind: str, subject: str, body: str, uploads=None,
                 channel: str = Channel.PORTAL, external_message_id: str = "") -> ClientRequest:
    """Open a request of `client` with its first message; the agreed response time and its due moment are fixed."""
    subject = (subject or "").strip()
    if not subject:
        raise ServiceError(_("Give the request a subject."), field="subject")
    if kind not in ClientRequest.Kind.values:
        raise ServiceError(_("Choose what kind of request this is."), field="kind")
    body = _clean_body(body)
    Agency.objects.select_for_update().filter(pk=agency.pk).first()  # numbers are handed out one at a time
    number = (ClientRequest.objects.filter(agency=agency).aggregate(n=Max("number"))["n"] or 0) + 1
    now = timezone.now()
    target = target_minutes(agency=agency, client=client)
    due = add_business_minutes(now, target, calendar=_calendar(agency=agency, start=now)) if target else None
    thread = ClientRequest.objects.create(
        agency=agency, number=number, client=client, kind=kind, subject=subject[:200], channel=channel,
        opened_by_contact=contact, opened_by=actor if getattr(actor, "is_authenticated", False) else None,
        target_minutes=target, due_at=due, awaiting_since=now, last_message_at=now)
    _add(agency=agency, thread=thread, direction=Direction.INBOUND, body=body, author=thread.opened_by,
         contact=contact, channel=channel, external_message_id=external_message_id, uploads=uploads)
    audit(agency=agency, actor=actor, action="client_request.opened", target=thread,
          changes={"kind": (None, kind), "client": (None, client.name)})
    url = reverse("comms:request_detail", args=[thread.pk])
    for user in _staff_recipients(agency=agency, client=client):
        notify(agency=agency, recipient=user, kind="client_request.opened", url=url,
               key=f"client_request.opened:{thread.pk}",
               context={"subject": thread.subject, "client": client.name, "kind": kind, "excerpt": body[:300]})
    return thread


@transaction.atomic
def request_client_message(*, agency: Agency, actor, thread: ClientRequest, contact, body: str, uploads=None,
                           channel: str = Channel.PORTAL, external_message_id: str = "") -> Message:
    """The client writes again: the thread waits for the agency (a closed one opens again)."""
    body = _clean_body(body)
    thread = ClientRequest.objects.select_for_update().get(agency=agency, pk=thread.pk)
    message = _add(agency=agency, thread=thread, direction=Direction.INBOUND, body=body, author=actor, contact=contact,
                   channel=channel, external_message_id=external_message_id, uploads=uploads)
    old = thread.status
    thread.status, thread.closed_at = ClientRequest.Status.OPEN, None
    thread.awaiting_since = thread.awaiting_since or message.created_at
    thread.last_message_at = message.created_at
    thread.save(update_fields=["status", "closed_at", "awaiting_since", "last_message_at", "updated_at"])
    if old == ClientRequest.Status.CLOSED:
        audit(agency=agency, actor=actor, action="client_request.reopened", target=thread,
              changes={"status": (old, thread.status)})
    url = reverse("comms:request_detail", args=[thread.pk])
    for user in _staff_recipients(agency=agency, client=thread.client):
        notify(agency=agency, recipient=user, kind="client_request.message", url=url,
               key=f"client_request.message:{message.pk}",
               context={"subject": thread.subject, "client": thread.client.name, "excerpt": body[:300]})
    return message


@transaction.atomic
def request_reply(*, agency: Agency, actor, thread: ClientRequest, body: str, uploads=None,
                  channel: str = Channel.PORTAL, external_message_id: str = "") -> Message:
    """The agency answers (a closed thread then waits for the client again); the first answer fixes the response
    time (business minutes since the request opened)."""
    body = _clean_body(body)
    thread = ClientRequest.objects.select_for_update().select_related("client").get(agency=agency, pk=thread.pk)
    message = _add(agency=agency, thread=thread, direction=Direction.OUTBOUND, body=body, author=actor,
                   channel=channel, external_message_id=external_message_id, uploads=uploads)
    fields = ["status", "awaiting_since", "last_message_at", "updated_at"]
    if thread.first_reply_at is None:
        thread.first_reply_at = message.created_at
        thread.response_minutes = business_minutes_between(
            thread.created_at, message.created_at,
            calendar=_calendar(agency=agency, start=thread.created_at, end=message.created_at))
        fields += ["first_reply_at", "response_minutes"]
        audit(agency=agency, actor=actor, action="client_request.answered", target=thread,
              changes={"response_minutes": (None, thread.response_minutes),
                       "target_minutes": (None, thread.target_minutes)})
    thread.status, thread.awaiting_since, thread.last_message_at, thread.closed_at = (
        ClientRequest.Status.ANSWERED, None, message.created_at, None)
    thread.save(update_fields=fields + ["closed_at"])
    if thread.opened_by_contact_id:
        url = reverse("portal:request_detail", args=[thread.pk])
        for member in Membership.objects.filter(agency=agency, role=Role.CLIENT, is_active=True,
                                                contact_id=thread.opened_by_contact_id).select_related("user"):
            notify(agency=agency, recipient=member.user, kind="client_request.answered", url=url,
                   key=f"client_request.answered:{message.pk}",
                   context={"subject": thread.subject, "number": thread.number, "excerpt": body[:300]})
    return message


@transaction.atomic
def request_close(*, agency: Agency, actor, thread: ClientRequest) -> ClientRequest:
    """Close the thread (nobody waits any more); a new client message opens it again."""
    thread = ClientRequest.objects.select_for_update().get(agency=agency, pk=thread.pk)
    if thread.status == ClientRequest.Status.CLOSED:
        raise ServiceError(_("The request is closed already."), code="closed")
    old = thread.status
    thread.status, thread.closed_at, thread.awaiting_since = ClientRequest.Status.CLOSED, timezone.now(), None
    thread.save(update_fields=["status", "closed_at", "awaiting_since", "updated_at"])
    audit(agency=agency, actor=actor, action="client_request.closed", target=thread,
          changes={"status": (old, thread.status)})
    return thread
