"""The client health score (silent churn): pure functions from one client's facts to its signals, score, band and
suggested next action. No database here: `health_queries` gathers the facts with one GROUP BY per signal.

The score starts at 100 and each signal takes off its points (capped per signal; the sum is clamped at 0). A signal
stores its key, points and raw figures only (JSON-friendly, language-neutral); `explain` and `action_text` turn them
into sentences in the active language when a page or the API shows them. Windows: "recent" is the last 90 days,
"before" the 90 days before that; revenue at stake is the client's paid revenue of the last 365 days."""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mrm.core.templatetags.mrm import money

HEALTHY, WATCH, AT_RISK = "healthy", "watch", "at_risk"
BANDS = (AT_RISK, WATCH, HEALTHY)
BAND_LABELS = {HEALTHY: gettext_lazy("Healthy"), WATCH: gettext_lazy("Watch"), AT_RISK: gettext_lazy("At risk")}
HEALTHY_FROM, WATCH_FROM = 80, 50  # score ≥ 80 healthy, 50–79 watch, < 50 at risk

CONTACT, FREQUENCY, NPS, NPS_TREND, REPORTS, OVERDUE, ALERTS, REQUESTS, SPEND = (
    "contact", "frequency", "nps", "nps_trend", "reports", "overdue", "alerts", "requests", "spend")
SIGNALS = (CONTACT, FREQUENCY, NPS, NPS_TREND, REPORTS, OVERDUE, ALERTS, REQUESTS, SPEND)
MAX_POINTS = {CONTACT: 25, FREQUENCY: 15, NPS: 20, NPS_TREND: 5, REPORTS: 10, OVERDUE: 15, ALERTS: 10,
              REQUESTS: 10, SPEND: 15}
ZERO = Decimal(0)


@dataclass(frozen=True)
class Facts:
    """One client's raw figures on the day of the computation."""

    days_silent: int  # days since the last contact (or since the client was added, when never contacted)
    contacted: bool  # whether any contact was ever recorded
    agreed_days: int  # the agreement's "contact at least every N days", else the agency's no-contact days
    interactions_recent: int = 0
    interactions_before: int = 0
    nps_latest: int | None = None
    nps_previous: int | None = None
    rating_recent: Decimal | None = None  # average 1–5
    rating_before: Decimal | None = None
    overdue_count: int = 0
    overdue_amount: Decimal = ZERO
    open_alerts: int = 0
    waiting_requests: int = 0
    spend_recent: Decimal = ZERO
    spend_before: Decimal = ZERO
    revenue_12m: Decimal = ZERO
    currency: str = "RUB"


@dataclass(frozen=True)
class Signal:
    key: str
    points: int
    value: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"key": self.key, "points": self.points, "value": self.value}


@dataclass(frozen=True)
class Health:
    score: int
    band: str
    signals: list[Signal]
    revenue_at_stake: Decimal
    action_key: str
    action_params: dict


def _s(amount: Decimal) -> str:
    return str(Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _drop_percent(*, recent, before) -> int | None:
    """How much `recent` fell below `before`, in whole %; None without a base to compare with."""
    if not before:
        return None
    return int(((Decimal(before) - Decimal(recent)) * 100 / Decimal(before)).quantize(Decimal(1), ROUND_HALF_UP))


def contact_points(*, days_silent: int, agreed_days: int) -> int:
    if agreed_days <= 0 or days_silent <= agreed_days:
        return 0
    ratio = Decimal(days_silent) / Decimal(agreed_days)
    return 8 if ratio <= Decimal("1.5") else 15 if ratio <= 2 else 25


def frequency_points(*, recent: int, before: int) -> int:
    drop = _drop_percent(recent=recent, before=before)
    if drop is None or drop < 25:
        return 0
    return 15 if drop >= 75 else 10 if drop >= 50 else 5


def nps_points(*, latest: int | None) -> int:
    if latest is None or latest >= 9:
        return 0
    return 5 if latest >= 7 else 20


def nps_trend_points(*, latest: int | None, previous: int | None) -> int:
    if latest is None or previous is None:
        return 0
    return 5 if previous - latest >= 2 else 0


def reports_points(*, recent: Decimal | None, before: Decimal | None) -> int:
    if recent is None:
        return 0
    points = 10 if recent <= Decimal("2.5") else 5 if recent <= Decimal("3.5") else 0
    if before is not None and before - recent >= 1:
        points += 5
    return min(points, MAX_POINTS[REPORTS])


def count_points(*, count: int, one: int, two: int, more: int) -> int:
    return 0 if count <= 0 else one if count == 1 else two if count == 2 else more


def spend_points(*, recent: Decimal, before: Decimal) -> int:
    drop = _drop_percent(recent=recent, before=before)
    if drop is None or drop < 25:
        return 0
    return 15 if drop >= 50 else 8


def band_for(score: int) -> str:
    return HEALTHY if score >= HEALTHY_FROM else WATCH if score >= WATCH_FROM else AT_RISK


def signals_for(facts: Facts) -> list[Signal]:
    f = facts
    return [
        Signal(CONTACT, contact_points(days_silent=f.days_silent, agreed_days=f.agreed_days),
               {"days": f.days_silent, "agreed": f.agreed_days, "contacted": f.contacted}),
        Signal(FREQUENCY, frequency_points(recent=f.interactions_recent, before=f.interactions_before),
               {"recent": f.interactions_recent, "before": f.interactions_before}),
        Signal(NPS, nps_points(latest=f.nps_latest), {"latest": f.nps_latest}),
        Signal(NPS_TREND, nps_trend_points(latest=f.nps_latest, previous=f.nps_previous),
               {"latest": f.nps_latest, "previous": f.nps_previous}),
        Signal(REPORTS, reports_points(recent=f.rating_recent, before=f.rating_before),
               {"recent": None if f.rating_recent is None else _s(f.rating_recent),
                "before": None if f.rating_before is None else _s(f.rating_before)}),
        Signal(OVERDUE, count_points(count=f.overdue_count, one=10, two=15, more=15),
               {"count": f.overdue_count, "amount": _s(f.overdue_amount), "currency": f.currency}),
        Signal(ALERTS, count_points(count=f.open_alerts, one=5, two=8, more=10), {"count": f.open_alerts}),
        Signal(REQUESTS, count_points(count=f.waiting_requests, one=5, two=8, more=10),
               {"count": f.waiting_requests}),
        Signal(SPEND, spend_points(recent=f.spend_recent, before=f.spend_before),
               {"recent": _s(f.spend_recent), "before": _s(f.spend_before), "currency": f.currency,
                "drop": _drop_percent(recent=f.spend_recent, before=f.spend_before)}),
    ]


def health_score(*, facts: Facts) -> Health:
    """The client's score 0–100, band, signals (worst first), revenue at stake and the suggested next action."""
    signals = signals_for(facts)
    score = max(0, 100 - sum(s.points for s in signals))
    ranked = sorted(signals, key=lambda s: (-s.points, SIGNALS.index(s.key)))
    worst = ranked[0]
    action_key, action_params = (worst.key, worst.value) if worst.points else ("none", {})
    return Health(score=score, band=band_for(score), signals=ranked, revenue_at_stake=Decimal(facts.revenue_12m),
                  action_key=action_key, action_params=action_params)


def explain(signal: dict) -> str:
    """One stored signal (`Signal.as_json()`) as a sentence in the active language."""
    key, v = signal["key"], signal.get("value") or {}
    if key == CONTACT:
        if not v.get("contacted"):
            return ngettext("No contact recorded in the %(days)s day since the client was added (agreed every "
                            "%(agreed)s days)", "No contact recorded in the %(days)s days since the client was added "
                            "(agreed every %(agreed)s days)", v.get("days") or 0) % v
        return ngettext("Last contact %(days)s day ago (agreed every %(agreed)s days)",
                        "Last contact %(days)s days ago (agreed every %(agreed)s days)", v.get("days") or 0) % v
    if key == FREQUENCY:
        return ngettext("%(recent)s interaction in the last 90 days, %(before)s in the 90 days before",
                        "%(recent)s interactions in the last 90 days, %(before)s in the 90 days before",
                        v.get("recent") or 0) % v
    if key == NPS:
        if v.get("latest") is None:
            return _("No NPS answer yet")
        return _("Latest NPS answer: %(latest)s of 10") % v
    if key == NPS_TREND:
        if v.get("latest") is None or v.get("previous") is None:
            return _("No earlier NPS answer to compare with")
        return _("NPS went from %(previous)s to %(latest)s") % v
    if key == REPORTS:
        if v.get("recent") is None:
            return _("No report ratings in the last 90 days")
        if v.get("before") is None:
            return _("Reports rated %(recent)s of 5 in the last 90 days") % v
        return _("Reports rated %(recent)s of 5 in the last 90 days, %(before)s before") % v
    if key == OVERDUE:
        if not v.get("count"):
            return _("No overdue invoices")
        return ngettext("%(count)s overdue invoice, %(amount)s unpaid", "%(count)s overdue invoices, %(amount)s unpaid",
                        v.get("count") or 0) % {**v, "amount": money(v["amount"], v["currency"])}
    if key == ALERTS:
        return ngettext("%(count)s open project alert", "%(count)s open project alerts", v.get("count") or 0) % v
    if key == REQUESTS:
        return ngettext("%(count)s client request waits for our reply", "%(count)s client requests wait for our reply",
                        v.get("count") or 0) % v
    if key == SPEND:
        return _("Paid %(recent)s in the last 90 days, %(before)s in the 90 days before") % {
            "recent": money(v["recent"], v["currency"]), "before": money(v["before"], v["currency"])}
    return key


def action_text(key: str, params: dict) -> str:
    """The suggested next action (from the worst signal) as a sentence in the active language."""
    p = params or {}
    if key == CONTACT:
        return ngettext("Call: no contact for %(days)s day (agreed %(agreed)s)",
                        "Call: no contact for %(days)s days (agreed %(agreed)s)", p.get("days") or 0) % p
    if key == FREQUENCY:
        return _("Book a check-in: contacts fell from %(before)s to %(recent)s per 90 days") % p
    if key == NPS:
        return _("Call about the NPS answer %(latest)s of 10 and agree what to fix") % p
    if key == NPS_TREND:
        return _("Ask what changed: NPS went from %(previous)s to %(latest)s") % p
    if key == REPORTS:
        return _("Review the reports with the client: rated %(recent)s of 5") % p
    if key == OVERDUE:
        return _("Chase the overdue invoices: %(count)s, %(amount)s") % {**p, "amount": money(p["amount"], p["currency"])}
    if key == ALERTS:
        return ngettext("Resolve the %(count)s open project alert", "Resolve the %(count)s open project alerts",
                        p.get("count") or 0) % p
    if key == REQUESTS:
        return ngettext("Answer the %(count)s waiting request", "Answer the %(count)s waiting requests",
                        p.get("count") or 0) % p
    if key == SPEND:
        return _("Discuss the budget: spend fell by %(drop)s%% over 90 days") % p
    return _("No action needed: keep the agreed rhythm")
