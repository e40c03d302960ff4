"""Reads of onboarding: the agency template, one client's plan with its steps, progress for the client list."""
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from mrm.tenancy.models import Agency

from ..models import Client, InteractionAgreement, OnboardingPlan, OnboardingStep, OnboardingTemplateStep


def onboarding_template_list(*, agency: Agency) -> QuerySet[OnboardingTemplateStep]:
    return OnboardingTemplateStep.objects.filter(agency=agency).order_by("due_day", "order", "created_at")


def onboarding_plan_for(*, agency: Agency, client: Client) -> OnboardingPlan | None:
    """The client's plan with its steps loaded (two queries), or None before the client became active."""
    plan = OnboardingPlan.objects.filter(agency=agency, client=client).first()
    if plan is not None:
        plan.step_list = list(OnboardingStep.objects.filter(agency=agency, plan=plan).select_related("done_by")
                              .order_by("due_on", "order"))
    return plan


def onboarding_step_get(*, agency: Agency, plan: OnboardingPlan, step_id) -> OnboardingStep:
    step = OnboardingStep.objects.filter(agency=agency, plan=plan, pk=step_id).first()
    if step is None:
        raise Http404
    return step


def _step_count(agency: Agency, **filters):
    steps = OnboardingStep.objects.filter(agency=agency, plan__client=OuterRef("pk"), **filters)
    return Coalesce(Subquery(steps.order_by().values("plan").annotate(n=Count("pk")).values("n")[:1],
                             output_field=IntegerField()), Value(0))


def onboarding_progress_fill(clients: list[Client], *, agency: Agency) -> list[Client]:
    """Set `onboarding_total` / `onboarding_done` (0/0 without a plan) on a page of clients with one grouped
    query. Unlike annotating the list query, PostgreSQL does not evaluate it for every row an OFFSET skips
    (page 50 of the client list: 1,250 × two subqueries, 190 ms)."""
    rows = (OnboardingStep.objects.filter(agency=agency, plan__client__in=[c.pk for c in clients]).order_by()
            .values("plan__client").annotate(total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False))))
    progress = {row["plan__client"]: (row["total"], row["done"]) for row in rows} if clients else {}
    for client in clients:
        client.onboarding_total, client.onboarding_done = progress.get(client.pk, (0, 0))
    return clients


def with_onboarding_progress(qs: QuerySet[Client], *, agency: Agency) -> QuerySet[Client]:
    """Annotate `onboarding_total` / `onboarding_done` (0/0 without a plan) in the same SQL query."""
    return qs.annotate(onboarding_total=_step_count(agency), onboarding_done=_step_count(agency, done_at__isnull=False))


def agreement_for(*, agency: Agency, client: Client) -> InteractionAgreement | None:
    return InteractionAgreement.objects.filter(agency=agency, client=client).first()
