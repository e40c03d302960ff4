"""The facts behind the health score, in SQL: one GROUP BY query per signal over the agency's clients (filtered by
`q`, a client visibility condition), conditional aggregation for the windows — seven queries whatever the number of
clients. `health_compute` applies the pure `health.health_score` to each client's facts."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from clients.models import Client, Interaction, Invoice
from comms.models import ClientRequest
from mrm.core.business_hours import zone
from mrm.tenancy.models import Agency
from portal.models import NpsResponse
from projects.models import Alert
from reporting.report_models import ReportRating

from .health import Facts, Health, health_score
from .periods import moment

WINDOW = 90  # days of a "recent" window (and of the one before it)
YEAR = 365
TRACKED = (Client.Status.ONBOARDING, Client.Status.ACTIVE, Client.Status.PAUSED)  # current clients only


@dataclass(frozen=True)
class ClientHealthResult:
    client_id: object
    health: Health


def agency_today(agency: Agency) -> date:
    return timezone.localtime(timezone=zone(agency.timezone)).date()


def _by_client(rows, key: str = "client_id") -> dict:
    return {row[key]: row for row in rows}


Where = Callable[[str], Q]  # a client condition for a path prefix: "" on Client, "client__" on its rows, …


def everyone(prefix: str) -> Q:
    return Q()


def health_facts(*, agency: Agency, where: Where = everyone, today: date | None = None) -> dict:
    """{client id: Facts} for the agency's current clients matching `where` — 7 queries whatever their number."""
    today = today or agency_today(agency)
    tz = agency.timezone
    recent, before = moment(today - timedelta(days=WINDOW - 1), tz), moment(today - timedelta(days=2 * WINDOW - 1), tz)
    d_recent, d_before = today - timedelta(days=WINDOW - 1), today - timedelta(days=2 * WINDOW - 1)
    current = Q(client__status__in=TRACKED) & where("client__") & Q(agency=agency)

    clients = (Client.objects.filter(agency=agency, status__in=TRACKED).filter(where("")).order_by()
               .values("pk", "last_contact_at", "created_at", every=F("agreement__contact_every_days")))
    talks = _by_client(Interaction.objects.filter(current).order_by().values("client_id").annotate(
        recent=Count("pk", filter=Q(occurred_at__gte=recent) & ~Q(direction=Interaction.Direction.INTERNAL)),
        before=Count("pk", filter=Q(occurred_at__gte=before, occurred_at__lt=recent)
                     & ~Q(direction=Interaction.Direction.INTERNAL)),
        waiting=Count("pk", filter=Q(needs_reply=True, replied_at__isnull=True))))
    nps: dict = {}
    for row in (NpsResponse.objects.filter(current).annotate(rank=Window(
            RowNumber(), partition_by=[F("client_id")], order_by=[F("answered_at").desc(), F("pk").desc()]))
            .filter(rank__lte=2).order_by().values("client_id", "score", "rank")):
        nps.setdefault(row["client_id"], {})[row["rank"]] = row["score"]
    rated = Q(report__client__status__in=TRACKED) & Q(agency=agency) & where("report__client__")
    ratings = _by_client(ReportRating.objects.filter(rated).order_by().values(client_id=F("report__client_id"))
                         .annotate(recent=Avg("score", filter=Q(updated_at__gte=recent)),
                                   before=Avg("score", filter=Q(updated_at__gte=before, updated_at__lt=recent))))
    paid = Q(status=Invoice.Status.PAID, currency=agency.currency, paid_on__isnull=False)
    unpaid = Q(status__in=(Invoice.Status.SENT, Invoice.Status.OVERDUE), due_on__lt=today)
    money = _by_client(Invoice.objects.filter(current, kind=Invoice.Kind.INVOICE).order_by().values("client_id")
                       .annotate(overdue=Count("pk", filter=unpaid),
                                 overdue_amount=Sum("total", filter=unpaid & Q(currency=agency.currency)),
                                 spend_recent=Sum("amount", filter=paid & Q(paid_on__gte=d_recent)),
                                 spend_before=Sum("amount", filter=paid & Q(paid_on__gte=d_before,
                                                                             paid_on__lt=d_recent)),
                                 revenue=Sum("amount", filter=paid & Q(paid_on__gt=today - timedelta(days=YEAR)))))
    alerts = _by_client(Alert.objects.filter(agency=agency, resolved_at__isnull=True,
                                             project__client__status__in=TRACKED)
                        .filter(where("project__client__")).order_by()
                        .values(client_id=F("project__client_id")).annotate(n=Count("pk")))
    requests = _by_client(ClientRequest.objects.filter(current, status=ClientRequest.Status.OPEN).order_by()
                          .values("client_id").annotate(n=Count("pk")))
    facts = {}
    for c in clients:
        last = c["last_contact_at"]
        since = timezone.localtime(last or c["created_at"], timezone=zone(tz)).date()
        t, m, r, answers = talks.get(c["pk"], {}), money.get(c["pk"], {}), ratings.get(c["pk"], {}), nps.get(c["pk"], {})
        facts[c["pk"]] = Facts(
            days_silent=max(0, (today - since).days), contacted=last is not None,
            agreed_days=c["every"] or agency.no_contact_days,
            interactions_recent=t.get("recent", 0), interactions_before=t.get("before", 0),
            nps_latest=answers.get(1), nps_previous=answers.get(2),
            rating_recent=_dec(r.get("recent")), rating_before=_dec(r.get("before")),
            overdue_count=m.get("overdue", 0), overdue_amount=m.get("overdue_amount") or Decimal(0),
            open_alerts=alerts.get(c["pk"], {}).get("n", 0),
            waiting_requests=requests.get(c["pk"], {}).get("n", 0) + t.get("waiting", 0),
            spend_recent=m.get("spend_recent") or Decimal(0), spend_before=m.get("spend_before") or Decimal(0),
            revenue_12m=m.get("revenue") or Decimal(0), currency=agency.currency)
    return facts


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def health_compute(*, agency: Agency, where: Where = everyone, today: date | None = None
                   ) -> list[ClientHealthResult]:
    """The live health of the agency's current clients matching `where`."""
    facts = health_facts(agency=agency, where=where, today=today)
    return [ClientHealthResult(client_id=pk, health=health_score(facts=f)) for pk, f in facts.items()]
