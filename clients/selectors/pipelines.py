"""Reads of the agency's pipelines and stages, and the weighted forecast (amount × stage probability,
summed in SQL) per stage and per expected close month."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404

from mrm.tenancy.models import Agency

from ..models import Deal, Pipeline, PipelineStage
from ..services.pipelines import pipeline_ensure_default

# amount × probability / 100, computed by the database (the stage's probability through the FK join)
WEIGHTED = ExpressionWrapper(F("amount") * F("pipeline_stage__probability") / Decimal("100"),
                             output_field=DecimalField(max_digits=18, decimal_places=2))


def pipeline_list(*, agency: Agency, archived: bool = False) -> list[Pipeline]:
    """The agency's pipelines in order (the default one is created the first time it is needed)."""
    qs = Pipeline.objects.filter(agency=agency)
    if not archived:
        qs = qs.filter(is_archived=False)
    rows = list(qs.order_by("-is_default", "order", "created_at"))
    if not rows or not rows[0].is_default:
        pipeline_ensure_default(agency=agency)
        rows = list(qs.order_by("-is_default", "order", "created_at"))
    return rows


def pipeline_get(*, agency: Agency, pipeline_id) -> Pipeline:
    pipeline = Pipeline.objects.filter(agency=agency, pk=pipeline_id).first()
    if pipeline is None:
        raise Http404
    return pipeline


def stage_get(*, agency: Agency, stage_id) -> PipelineStage:
    stage = PipelineStage.objects.filter(agency=agency, pk=stage_id).select_related("pipeline").first()
    if stage is None:
        raise Http404
    return stage


def stage_list(*, agency: Agency, pipeline: Pipeline | None = None, archived: bool = True) -> QuerySet:
    qs = PipelineStage.objects.filter(agency=agency).select_related("pipeline")
    if pipeline is not None:
        qs = qs.filter(pipeline=pipeline)
    if not archived:
        qs = qs.filter(is_archived=False)
    return qs.order_by("pipeline__order", "pipeline__created_at", "order", "created_at")


def stage_deal_counts(*, agency: Agency, pipeline: Pipeline) -> dict:
    rows = (Deal.objects.filter(agency=agency, pipeline_stage__pipeline=pipeline).order_by()
            .values("pipeline_stage").annotate(n=Count("pk")))
    return {row["pipeline_stage"]: row["n"] for row in rows}


@dataclass
class ForecastRow:
    label: str
    currency: str
    count: int
    total: Decimal
    weighted: Decimal
    probability: int | None = None


def _money(value) -> Decimal:
    return (value or Decimal("0")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def forecast_by_stage(qs: QuerySet[Deal]) -> list[ForecastRow]:
    """Per stage and currency: deals, amount and weighted amount (one GROUP BY), in board order."""
    rows = (qs.order_by().values("pipeline_stage", "pipeline_stage__name", "pipeline_stage__probability",
                                 "pipeline_stage__order", "pipeline_stage__pipeline__order",
                                 "pipeline_stage__pipeline__name", "currency")
            .annotate(n=Count("pk"), total=Sum("amount"), weighted=Sum(WEIGHTED))
            .order_by("pipeline_stage__pipeline__order", "pipeline_stage__pipeline__name", "pipeline_stage__order",
                      "currency"))
    return [ForecastRow(label=f"{r['pipeline_stage__pipeline__name']} · {r['pipeline_stage__name']}",
                        currency=r["currency"], count=r["n"], total=_money(r["total"]),
                        weighted=_money(r["weighted"]), probability=r["pipeline_stage__probability"])
            for r in rows]


def forecast_by_month(qs: QuerySet[Deal]) -> list[ForecastRow]:
    """Open deals per expected close month and currency: amount and weighted amount (one GROUP BY); deals
    without a date come last."""
    rows = (qs.filter(stage__in=Deal.OPEN_STAGES).order_by()
            .annotate(month=TruncMonth("expected_close_date")).values("month", "currency")
            .annotate(n=Count("pk"), total=Sum("amount"), weighted=Sum(WEIGHTED))
            .order_by(F("month").asc(nulls_last=True), "currency"))
    return [ForecastRow(label=r["month"], currency=r["currency"], count=r["n"], total=_money(r["total"]),
                        weighted=_money(r["weighted"])) for r in rows]
