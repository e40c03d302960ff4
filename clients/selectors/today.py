"""What the Today page asks of the CRM: the member's tasks by urgency, clients nobody talked to lately and
client messages still waiting for an answer. Every function runs a fixed number of queries."""
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from mrm.core.pagination import capped_count
from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership

from ..models import Client, Interaction, Task
from .deals import visible_to
from .tasks import day_bounds

LIMIT = 8
COUNT_CAP = 100  # past this the page says "100+" (the full list is a click away): counting further scans every match
# The columns Today's rows show (clients/today_*.html): every column of every joined table cost a third of the
# rows' ORM time (issue 15); a template that needs another one adds it here.
TASK_ROW_FIELDS = ("title", "kind", "priority", "due_at", "done_at", "created_at", "client_id", "deal_id",
                   "client__name", "deal__title")
CLIENT_ROW_FIELDS = ("name", "status", "last_contact_at", "owner_id", "owner__full_name")
MESSAGE_ROW_FIELDS = ("kind", "channel", "subject", "summary", "occurred_at", "client_id", "client__name")


@dataclass
class Bucket:
    items: list
    count: int
    capped: bool = False  # True: `count` is COUNT_CAP and the real number is larger

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


def _bucket(qs, limit: int = LIMIT) -> Bucket:
    """The first `limit` rows and how many there are, counted up to COUNT_CAP (`SELECT COUNT(*) FROM
    (… LIMIT cap + 1)` stops early instead of counting every match)."""
    # The first rows are chosen on the table alone (`pk IN (… ORDER BY … LIMIT n)`, an index range scan), then
    # joined to what they show: joined first, PostgreSQL hashed every client of the agency to sort 1,500 overdue
    # tasks for 8 (13 ms → 2 ms at 30,000 clients).
    items = list(qs.filter(pk__in=qs.values("pk")[:limit]))
    if len(items) < limit:
        return Bucket(items=items, count=len(items))
    count, capped = capped_count(qs, COUNT_CAP)
    return Bucket(items=items, count=count, capped=capped)


def today_tasks(*, agency: Agency, membership: Membership, user) -> dict[str, Bucket]:
    """The member's open tasks: overdue (before today), due today, and follow-ups due by tonight. Two queries
    instead of six: the three counts in one aggregate of the member's open tasks, and the first rows of the three
    blocks as one UNION ALL of ids (each part an ordered range of the (agency, assignee, done_at, due_at) index
    that stops after LIMIT rows)."""
    refuse_client(membership)
    start, end = day_bounds()
    # Assigned to the member: visible whatever the client (task_list's first condition), so no visibility filter.
    mine = Task.objects.filter(agency=agency, assignee=user, done_at__isnull=True)
    follow_up = Q(kind=Task.Kind.FOLLOW_UP)
    blocks = {"overdue": ~follow_up & Q(due_at__lt=start),
              "today": ~follow_up & Q(due_at__gte=start, due_at__lt=end),
              "follow_ups": follow_up & Q(due_at__lt=end)}
    counts = mine.aggregate(**{key: Count("pk", filter=cond) for key, cond in blocks.items()})
    # The ids first (on the index alone), then the rows with what they show: joined first, PostgreSQL hashes
    # every client of the agency before the LIMIT (see _bucket).
    ids = [mine.filter(cond).order_by("due_at", "-created_at").values("pk")[:LIMIT]
           for key, cond in blocks.items() if counts[key]]
    rows = list(mine.filter(pk__in=ids[0].union(*ids[1:], all=True)).select_related("client", "deal")
                .only(*TASK_ROW_FIELDS)) if ids else []
    items: dict[str, list] = {key: [] for key in blocks}
    for task in sorted(rows, key=lambda t: (t.due_at, -t.created_at.timestamp())):
        key = "follow_ups" if task.kind == Task.Kind.FOLLOW_UP else "overdue" if task.due_at < start else "today"
        items[key].append(task)
    return {key: Bucket(items=items[key], count=counts[key]) for key in blocks}


def clients_without_contact(*, agency: Agency, membership: Membership, limit: int = LIMIT) -> tuple[Bucket, int]:
    """Active and onboarding clients the member sees with no contact for the agency's N days; longest silence first."""
    refuse_client(membership)
    days = agency.no_contact_days
    cutoff = timezone.now() - timedelta(days=days)
    # The visibility condition on the client rows themselves and the (agency, last_contact_at NULLS FIRST,
    # name) index: an ordered index scan that stops after `limit` rows instead of sorting every silent client.
    qs = visible_to(Client.objects.filter(agency=agency), agency=agency, membership=membership, field_name="pk")
    qs = qs.filter(status__in=[Client.Status.ACTIVE, Client.Status.ONBOARDING]).filter(
        Q(last_contact_at__lt=cutoff) | Q(last_contact_at__isnull=True)
    ).select_related("owner").only(*CLIENT_ROW_FIELDS).order_by(F("last_contact_at").asc(nulls_first=True), "name")
    return _bucket(qs, limit), days


def unanswered_messages(*, agency: Agency, membership: Membership, limit: int = LIMIT) -> Bucket:
    """Messages from clients that still wait for the agency's reply; the longest waiting first."""
    refuse_client(membership)
    qs = Interaction.objects.filter(agency=agency, direction=Interaction.Direction.INBOUND, needs_reply=True,
                                    replied_at__isnull=True)
    qs = visible_to(qs, agency=agency, membership=membership).select_related("client").only(
        *MESSAGE_ROW_FIELDS).order_by("occurred_at")
    return _bucket(qs, limit)
