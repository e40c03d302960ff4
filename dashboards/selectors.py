"""The SQL of the KPI dashboard: counts and sums per period window, one query per KPI whatever the number of
windows (conditional aggregation: `COUNT(*) FILTER (WHERE …)` per window), never a Python loop over rows.
`kpis` turns the numbers into ratios; `board` assembles the tiles.

Which clients: `client_visibility_q` (directors all, AMs their own and their teams'), optionally one client. Per-AM
figures group by the client's owner at the end of the period, from the owner history (`ClientOwnerChange`), so a
client handed over mid-year counts for the AM who had it then. A client's status on a day is the last
`ClientStatusChange` before that day's midnight (agency time zone); a client without history counts as not yet a
client, never as active."""
from collections.abc import Sequence
from datetime import date

from django.db import connection
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.aggregates import Aggregate
from django.db.models.functions import Coalesce, NullIf

from clients.models import Client, ClientOwnerChange, ClientStatusChange, Deal, Invoice
from clients.selectors.companies import client_visibility_q
from comms.models import ClientRequest
from mrm.tenancy.models import Agency, KpiTarget, Membership
from portal.models import NpsResponse
from reporting.report_models import ReportRating

from .periods import Period, moment

S = Client.Status
ACTIVE = (S.ONBOARDING, S.ACTIVE, S.PAUSED)  # a client of the agency (paused: still a client, not lost)
UPSELL_KINDS = (Deal.Kind.UPSELL, Deal.Kind.CROSS_SELL)


class Percentile(Aggregate):
    """PostgreSQL's `percentile_cont(f) WITHIN GROUP (ORDER BY x)`: the interpolated median / 90th percentile."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be within 0…1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        """SQLite (`make run` without a database server) has no ordered-set aggregates: the same interpolation by
        `SqlitePercentile`, registered on each SQLite connection (dashboards/apps.py)."""
        clone = self.copy()
        clone.template = "MRM_PERCENTILE(%(expressions)s, %(fraction)s)"  # kept when a FILTER clause wraps it
        return clone.as_sql(compiler, connection, **extra_context)


class SqlitePercentile:
    """`percentile_cont` for SQLite: the value at `fraction` of the sorted values, linearly interpolated."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction) -> None:
        if value is not None:
            self.values.append(float(value))
            self.fraction = float(fraction)

    def finalize(self) -> float | None:
        if not self.values:
            return None
        values = sorted(self.values)
        position = (len(values) - 1) * self.fraction
        low = int(position)
        high = min(low + 1, len(values) - 1)
        return values[low] + (values[high] - values[low]) * (position - low)


def clients_q(*, membership: Membership, client: Client | None = None, prefix: str = "") -> Q:
    """The clients whose figures `membership` may see (and only `client` when given)."""
    q = client_visibility_q(membership=membership, prefix=prefix)
    if client is not None:
        q &= Q(**{f"{prefix}pk": client.pk})
    return q


def _status_at(when, ref: str = "pk"):
    return Subquery(ClientStatusChange.objects.filter(client_id=OuterRef(ref), changed_at__lt=when)
                    .order_by("-changed_at", "-created_at").values("to_status")[:1])


def owner_at(when, *, ref: str = "pk", current: str = "owner_id"):
    """The client's AM at `when` from the owner history; the current owner when the history has no row before."""
    return Coalesce(Subquery(ClientOwnerChange.objects.filter(client_id=OuterRef(ref), changed_at__lt=when)
                             .order_by("-changed_at", "-created_at").values("to_owner")[:1]), F(current),
                    output_field=BigIntegerField())


def _grouped(qs: QuerySet, aggregates: dict, *, by: Sequence[str] = ()) -> list[dict]:
    """One row of `aggregates` (no `by`) or one per distinct `by` values; ordering cleared so GROUP BY stays exact."""
    if not by:
        return [qs.aggregate(**aggregates)]
    return list(qs.order_by().values(*by).annotate(**aggregates))


def _in(field: str, window: Period, tz: str | None) -> Q:
    lo, hi = (window.start, window.end) if tz is None else (moment(window.start, tz), moment(window.end, tz))
    return Q(**{f"{field}__gte": lo, f"{field}__lt": hi})


def _span(field: str, windows: Sequence[Period], tz: str | None) -> Q:
    return _in(field, Period("custom", min(w.start for w in windows), max(w.end for w in windows)), tz)


def retention_counts(*, agency: Agency, q: Q, windows: Sequence[Period], by_am_on: date | None = None,
                     orm: bool = False) -> list[dict]:
    """Per window i: `start_i` clients active at its start, `kept_i` of them active at its end, `active_i` clients
    active at any time in it, `churned_i` clients that churned in it (whether or not active at its start).
    On PostgreSQL the same counts come from one pass over the history (`dashboards.retention`) unless `orm`."""
    if connection.vendor == "postgresql" and not orm:
        from .retention import retention_counts_sql

        return retention_counts_sql(agency=agency, q=q, windows=windows, by_am_on=by_am_on)
    tz = agency.timezone
    bounds = {}
    for w in windows:
        for day in (w.start, w.end):
            bounds.setdefault(day, f"st_{day:%Y%m%d}")
    annotations = {name: _status_at(moment(day, tz)) for day, name in bounds.items()}
    aggregates = {}
    for i, w in enumerate(windows):
        changes = ClientStatusChange.objects.filter(client_id=OuterRef("pk")).filter(_in("changed_at", w, tz))
        annotations[f"joined_{i}"] = Exists(changes.filter(to_status__in=ACTIVE))
        annotations[f"left_{i}"] = Exists(changes.filter(to_status=S.CHURNED))
        at_start = Q(**{f"{bounds[w.start]}__in": ACTIVE})
        aggregates[f"start_{i}"] = Count("pk", filter=at_start)
        aggregates[f"kept_{i}"] = Count("pk", filter=at_start & Q(**{f"{bounds[w.end]}__in": ACTIVE}))
        aggregates[f"active_{i}"] = Count("pk", filter=at_start | Q(**{f"joined_{i}": True}))
        aggregates[f"churned_{i}"] = Count("pk", filter=Q(**{f"left_{i}": True}))
    by = ()
    if by_am_on is not None:
        from django.contrib.auth import get_user_model

        annotations["am"] = owner_at(moment(by_am_on, tz))
        # The AM's name rides along (grouped with the id), so the per-AM table needs no query for names.
        annotations["am_name"] = Subquery(get_user_model().objects.filter(pk=OuterRef("am")).annotate(
            shown=Coalesce(NullIf(F("full_name"), Value("")), F("email"), output_field=CharField())).values("shown")[:1])
        by = ("am", "am_name")
    qs = Client.objects.filter(agency=agency).filter(q).annotate(**annotations)
    return _grouped(qs, aggregates, by=by)


def _by_am(by_am_on: date | None, tz: str, *, client: str = "client") -> dict:
    return {} if by_am_on is None else {"am": owner_at(moment(by_am_on, tz), ref=f"{client}_id",
                                                       current=f"{client}__owner_id")}


def nps_counts(*, agency: Agency, q: Q, windows: Sequence[Period], by_am_on: date | None = None) -> list[dict]:
    """Per window i: `promoters_i` (9–10), `passives_i` (7–8), `detractors_i` (0–6) among the answers given in it."""
    tz = agency.timezone
    aggregates = {}
    for i, w in enumerate(windows):
        win = _in("answered_at", w, tz)
        aggregates[f"promoters_{i}"] = Count("pk", filter=win & Q(score__gte=9))
        aggregates[f"passives_{i}"] = Count("pk", filter=win & Q(score__gte=7, score__lte=8))
        aggregates[f"detractors_{i}"] = Count("pk", filter=win & Q(score__lte=6))
    extra = _by_am(by_am_on, tz)
    qs = (NpsResponse.objects.filter(agency=agency).filter(q).filter(_span("answered_at", windows, tz))
          .annotate(**extra))
    return _grouped(qs, aggregates, by=tuple(extra))


def revenue_sums(*, agency: Agency, q: Q, windows: Sequence[Period], by_am_on: date | None = None) -> list[dict]:
    """Per currency (and AM) and window i: `paid_i`, the paid invoices' amounts without VAT (by the day paid)."""
    aggregates = {f"paid_{i}": Sum("amount", filter=_in("paid_on", w, None)) for i, w in enumerate(windows)}
    extra = _by_am(by_am_on, agency.timezone)
    qs = (Invoice.objects.filter(agency=agency, status=Invoice.Status.PAID, kind=Invoice.Kind.INVOICE).filter(q)
          .filter(_span("paid_on", windows, None)).annotate(**extra))
    return _grouped(qs, aggregates, by=(*extra, "currency"))


def upsell_counts(*, agency: Agency, q: Q, windows: Sequence[Period], by_am_on: date | None = None) -> list[dict]:
    """Per window i: `upsold_i`, the distinct clients with an upsell or cross-sell deal won (closed) in it."""
    tz = agency.timezone
    aggregates = {f"upsold_{i}": Count("client_id", distinct=True, filter=_in("closed_at", w, tz))
                  for i, w in enumerate(windows)}
    extra = _by_am(by_am_on, tz)
    qs = (Deal.objects.filter(agency=agency, stage=Deal.Stage.WON, kind__in=UPSELL_KINDS).filter(q)
          .filter(_span("closed_at", windows, tz)).annotate(**extra))
    return _grouped(qs, aggregates, by=tuple(extra))


def response_stats(*, agency: Agency, q: Q, windows: Sequence[Period], by_am_on: date | None = None) -> list[dict]:
    """Per window i over the requests first answered in it: `answered_i`, `median_i` and `p90_i` (business minutes),
    `within_i` answered within their agreed time out of `measured_i` that had one."""
    tz = agency.timezone
    aggregates = {}
    for i, w in enumerate(windows):
        win = _in("first_reply_at", w, tz)
        agreed = win & Q(target_minutes__isnull=False)
        aggregates[f"answered_{i}"] = Count("pk", filter=win)
        aggregates[f"median_{i}"] = Percentile("response_minutes", 0.5, filter=win)
        aggregates[f"p90_{i}"] = Percentile("response_minutes", 0.9, filter=win)
        aggregates[f"measured_{i}"] = Count("pk", filter=agreed)
        aggregates[f"within_{i}"] = Count("pk", filter=agreed & Q(response_minutes__lte=F("target_minutes")))
    extra = _by_am(by_am_on, tz)
    qs = (ClientRequest.objects.filter(agency=agency, response_minutes__isnull=False).filter(q)
          .filter(_span("first_reply_at", windows, tz)).annotate(**extra))
    return _grouped(qs, aggregates, by=tuple(extra))


# --- report quality ---------------------------------------------------------------------------------------------
# A rating is counted in the window it was last given or changed in (`updated_at`): one per contact and report.
RATED_CLIENT = "report__client__"


def report_rating_sums(*, agency: Agency, q: Q, windows: Sequence[Period], by_am_on: date | None = None
                       ) -> list[dict]:
    """Per window i: `rating_sum_i` and `rating_count_i` of the clients' 1–5 ratings of reports; `q` filters on the
    rated report's client with the `report__client__` prefix (`RATED_CLIENT`)."""
    tz = agency.timezone
    aggregates = {}
    for i, w in enumerate(windows):
        win = _in("updated_at", w, tz)
        aggregates[f"rating_sum_{i}"] = Sum("score", filter=win)
        aggregates[f"rating_count_{i}"] = Count("pk", filter=win)
    extra = _by_am(by_am_on, tz, client="report__client")
    qs = (ReportRating.objects.filter(agency=agency).filter(q).filter(_span("updated_at", windows, tz))
          .annotate(**extra))
    return _grouped(qs, aggregates, by=tuple(extra))


def report_ratings(*, agency: Agency, q: Q, period: Period) -> QuerySet[ReportRating]:
    """The ratings behind the tile (lowest first, so the unhappy clients lead), with report, client and contact."""
    return (ReportRating.objects.filter(agency=agency).filter(q).filter(_in("updated_at", period, agency.timezone))
            .select_related("report__client", "contact").order_by("score", "-updated_at"))


# --- targets ----------------------------------------------------------------------------------------------------
def kpi_targets(*, agency: Agency, client: Client | None = None) -> list[KpiTarget]:
    """Every target that could apply (agency-wide, per AM, and `client`'s): one query; `pick_target` chooses."""
    rows = KpiTarget.objects.filter(agency=agency)
    rows = rows.filter(Q(client__isnull=True) | Q(client=client)) if client else rows.filter(client__isnull=True)
    return list(rows)


def pick_target(rows: Sequence[KpiTarget], *, metric: str, on: date, am_id=None, client_id=None):
    """The rule of `mrm.tenancy.selectors.kpi_target` over preloaded rows: a client's target beats an AM's, which
    beats the agency's; a dated target beats an open-ended one; the one that started later wins."""
    from mrm.tenancy.models import KPI_TARGET_DEFAULTS, KpiMetric

    def applies(row: KpiTarget) -> bool:
        if row.metric != metric:
            return False
        if (row.valid_from and row.valid_from > on) or (row.valid_to and row.valid_to < on):
            return False
        if row.client_id:
            return client_id is not None and row.client_id == client_id
        if row.user_id:
            return am_id is not None and row.user_id == am_id
        return True

    def rank(row: KpiTarget):
        level = 2 if row.client_id else 1 if row.user_id else 0
        return level, row.valid_from is not None or row.valid_to is not None, row.valid_from or date.min, \
            row.created_at

    best = max((row for row in rows if applies(row)), key=rank, default=None)
    return best.value if best is not None else KPI_TARGET_DEFAULTS[KpiMetric(metric)]


# --- drill-downs: the clients behind a number -------------------------------------------------------------------
def retention_clients(*, agency: Agency, q: Q, period: Period, churned_only: bool = False) -> QuerySet[Client]:
    """The clients of the period: active at its start or joined in it, with their status at both ends."""
    tz = agency.timezone
    changes = ClientStatusChange.objects.filter(client_id=OuterRef("pk")).filter(_in("changed_at", period, tz))
    qs = (Client.objects.filter(agency=agency).filter(q)
          .annotate(status_start=_status_at(moment(period.start, tz)), status_end=_status_at(moment(period.end, tz)),
                    joined=Exists(changes.filter(to_status__in=ACTIVE)),
                    left=Exists(changes.filter(to_status=S.CHURNED)))
          .filter(Q(status_start__in=ACTIVE) | Q(joined=True) | Q(left=True)).select_related("owner"))
    if churned_only:
        qs = qs.filter(left=True)
    return qs.order_by("-left", "name")


NPS_SEGMENTS = {"promoters": Q(score__gte=9), "passives": Q(score__gte=7, score__lte=8),
                "detractors": Q(score__lte=6)}


def nps_answers(*, agency: Agency, q: Q, period: Period, segment: str = "") -> QuerySet[NpsResponse]:
    qs = (NpsResponse.objects.filter(agency=agency).filter(q).filter(_in("answered_at", period, agency.timezone))
          .select_related("client"))
    if segment in NPS_SEGMENTS:
        qs = qs.filter(NPS_SEGMENTS[segment])
    return qs.order_by("score", "-answered_at")


def revenue_clients(*, agency: Agency, q: Q, period: Period) -> QuerySet:
    """Per client and currency: paid in the period and in the same period a year before."""
    ago = period.year_ago()
    return (Invoice.objects.filter(agency=agency, status=Invoice.Status.PAID, kind=Invoice.Kind.INVOICE).filter(q)
            .filter(_in("paid_on", period, None) | _in("paid_on", ago, None)).order_by()
            .values("client_id", "client__name", "currency")
            .annotate(paid=Coalesce(Sum("amount", filter=_in("paid_on", period, None)), 0, output_field=Invoice._meta.get_field("amount")),
                      paid_year_ago=Sum("amount", filter=_in("paid_on", ago, None)),
                      invoices=Count("pk", filter=_in("paid_on", period, None)))
            .order_by("-paid", "client__name"))


def upsell_deals(*, agency: Agency, q: Q, period: Period) -> QuerySet[Deal]:
    return (Deal.objects.filter(agency=agency, stage=Deal.Stage.WON, kind__in=UPSELL_KINDS).filter(q)
            .filter(_in("closed_at", period, agency.timezone)).select_related("client", "owner")
            .order_by("-closed_at"))


def response_clients(*, agency: Agency, q: Q, period: Period) -> QuerySet:
    win = _in("first_reply_at", period, agency.timezone)
    return (ClientRequest.objects.filter(agency=agency, response_minutes__isnull=False).filter(q).filter(win)
            .order_by().values("client_id", "client__name")
            .annotate(answered=Count("pk"), median=Percentile("response_minutes", 0.5),
                      p90=Percentile("response_minutes", 0.9),
                      measured=Count("pk", filter=Q(target_minutes__isnull=False)),
                      within=Count("pk", filter=Q(target_minutes__isnull=False,
                                                  response_minutes__lte=F("target_minutes"))))
            .order_by("-p90", "client__name"))
