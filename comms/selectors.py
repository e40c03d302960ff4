"""Reads of client requests for staff: the threads of the clients the member sees (clients.selectors' visibility),
their messages, the Today list of threads waiting for the agency, and a client's response-time figures. A thread
of another agency or of a client the member does not see answers 404."""
from dataclasses import dataclass
from statistics import median

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from clients.selectors.deals import visible_to
from mrm.core.business_hours import business_calendar, business_minutes_between
from mrm.core.pagination import capped_count
from mrm.tenancy.models import Agency, Membership

from .models import Attachment, ClientRequest, Message

STATS_WINDOW = 50  # a client's response figures: its last 50 answered requests


def with_last_message(qs: QuerySet) -> QuerySet:
    """Each thread with its latest message's text and direction (two correlated subqueries, no N+1)."""
    last = Message.objects.filter(thread=OuterRef("pk")).order_by("-created_at")
    return qs.annotate(last_body=Subquery(last.values("body")[:1]),
                       last_direction=Subquery(last.values("direction")[:1]))


def request_list(*, agency: Agency, membership: Membership) -> QuerySet[ClientRequest]:
    qs = ClientRequest.objects.filter(agency=agency).select_related("client", "client__owner", "opened_by_contact")
    return visible_to(qs, agency=agency, membership=membership)


def request_get(*, agency: Agency, membership: Membership, request_id) -> ClientRequest:
    thread = request_list(agency=agency, membership=membership).filter(pk=request_id).first()
    if thread is None:
        raise Http404
    return thread


def client_request_list(*, agency: Agency, client) -> QuerySet[ClientRequest]:
    """A client's threads (the caller has checked it may see `client`), waiting ones first."""
    return with_last_message(ClientRequest.objects.filter(agency=agency, client=client).select_related(
        "opened_by_contact"))


def message_list(*, agency: Agency, thread: ClientRequest) -> QuerySet[Message]:
    return (Message.objects.filter(agency=agency, thread=thread).select_related("author", "author_contact")
            .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.filter(agency=agency))))


def attachment_get(*, agency: Agency, thread: ClientRequest, attachment_id) -> Attachment:
    attachment = Attachment.objects.filter(agency=agency, message__thread=thread, pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment


@dataclass
class Waiting:
    thread: ClientRequest
    elapsed: int  # business minutes the client has waited so far
    target: int | None

    @property
    def overdue(self) -> bool:
        return self.target is not None and self.elapsed > self.target

    @property
    def percent(self) -> int:
        if not self.target:
            return 0
        return min(int(self.elapsed * 100 / self.target), 100)


COUNT_CAP = 100  # past this the block says "100+" (counting every waiting thread of a large book scans them all)


def waiting_requests(*, agency: Agency, membership: Membership, limit: int = 8
                     ) -> tuple[list[Waiting], int, bool]:
    """Threads waiting for the agency's answer (longest first) with the business time each has waited; how many
    there are, counted up to COUNT_CAP; and whether there are more. Three queries whatever the number of rows
    (threads, count, holidays)."""
    qs = request_list(agency=agency, membership=membership).filter(awaiting_since__isnull=False).order_by(
        "awaiting_since")
    # Only the columns comms/today_requests.html shows (every column of three joined tables was half the ORM time).
    rows = list(qs.select_related(None).select_related("client").only(
        "number", "subject", "kind", "awaiting_since", "target_minutes", "client__name")[:limit])
    count, capped = (len(rows), False) if len(rows) < limit else capped_count(qs, COUNT_CAP)
    if not rows:
        return [], 0, False
    now = timezone.now()
    calendar = business_calendar(agency=agency, start=rows[0].awaiting_since.date(), end=now.date())
    return [Waiting(thread=t, elapsed=business_minutes_between(t.awaiting_since, now, calendar=calendar),
                    target=t.target_minutes) for t in rows], count, capped


@dataclass
class ResponseStats:
    answered: int
    last: int | None
    median: int | None
    within: int  # answered within the agreed time
    measured: int  # answered requests that had an agreed time
    target: int | None  # the current agreement, business minutes

    @property
    def within_percent(self) -> int | None:
        return round(self.within * 100 / self.measured) if self.measured else None


def response_stats(*, agency: Agency, client, target: int | None) -> ResponseStats:
    """The client's first-reply times over its last STATS_WINDOW answered requests: last, median, share in time."""
    rows = list(ClientRequest.objects.filter(agency=agency, client=client, first_reply_at__isnull=False)
                .order_by("-first_reply_at").values_list("response_minutes", "target_minutes")[:STATS_WINDOW])
    minutes = [m for m, _t in rows if m is not None]
    measured = [(m, t) for m, t in rows if m is not None and t is not None]
    return ResponseStats(answered=len(minutes), last=minutes[0] if minutes else None,
                         median=int(median(minutes)) if minutes else None,
                         within=sum(1 for m, t in measured if m <= t), measured=len(measured), target=target)
