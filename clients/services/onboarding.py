"""Writes of onboarding (a client's first 30 days): the agency template, the plan created once when a client
becomes active, step completion, and the interaction agreement."""
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency
from mrm.tenancy.services import apply_changes, audit

from ..models import (
    Client,
    Interaction,
    InteractionAgreement,
    OnboardingPlan,
    OnboardingStep,
    OnboardingTemplateStep,
)

# The default first 30 days (title, due day, what to do); agencies edit their copy in the settings.
DEFAULT_STEPS = (
    (gettext_lazy("Kickoff meeting"), 1,
     gettext_lazy("Meet the client's team, agree on roles, the first tasks and how we communicate.")),
    (gettext_lazy("Goals and metrics fixed in writing"), 3,
     gettext_lazy("Business goals, KPIs with target values and the reporting period, confirmed by the client.")),
    (gettext_lazy("Access to ad and analytics accounts"), 5,
     gettext_lazy("Ad cabinets, web analytics, CRM and the site admin: access granted and checked.")),
    (gettext_lazy("Interaction agreement signed"), 7,
     gettext_lazy("Contact frequency, channels, request format, response times, reporting and approvals.")),
    (gettext_lazy("First report"), 14, gettext_lazy("The first report on the agreed metrics, explained on a call.")),
    (gettext_lazy("First feedback call"), 21,
     gettext_lazy("Ask what works and what does not; agree on changes and write them down.")),
    (gettext_lazy("Upsell ideas planted"), 30,
     gettext_lazy("Share two or three ideas for growth beyond the current scope.")),
)
STARTS_ONBOARDING = (Client.Status.ONBOARDING, Client.Status.ACTIVE)
AGREEMENT_FIELDS = ("contact_every_days", "channels", "request_format", "response_time_hours", "reporting_cadence",
                    "approval_rules", "agreed_on")


@transaction.atomic
def onboarding_template_ensure(*, agency: Agency) -> list[OnboardingTemplateStep]:
    """The agency's template steps; on first use the default first-30-days steps are created."""
    steps = list(OnboardingTemplateStep.objects.filter(agency=agency).order_by("due_day", "order"))
    if steps:
        return steps
    # Lock the agency row so two first uses at the same moment do not both create the defaults.
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    if OnboardingTemplateStep.objects.filter(agency=agency).exists():
        return list(OnboardingTemplateStep.objects.filter(agency=agency).order_by("due_day", "order"))
    OnboardingTemplateStep.objects.bulk_create([
        OnboardingTemplateStep(agency=agency, title=str(title), description=str(text), due_day=day, order=i)
        for i, (title, day, text) in enumerate(DEFAULT_STEPS)
    ])
    return list(OnboardingTemplateStep.objects.filter(agency=agency).order_by("due_day", "order"))


@transaction.atomic
def onboarding_template_save(*, agency: Agency, actor, steps: list[dict]) -> list[OnboardingTemplateStep]:
    """Replace the template with `steps` ([{id?, title, description, due_day, delete?}]); keeps at least one
    step. Plans already started keep their own steps."""
    kept = [s for s in steps if not s.get("delete")]
    if not kept:
        raise ServiceError(_("Keep at least one step: the template is what every new client's plan starts from."))
    for s in kept:
        if not 1 <= int(s["due_day"]) <= 365:
            raise ServiceError(_("The due day must be between 1 and 365."), field="due_day")
    existing = {str(s.pk): s for s in OnboardingTemplateStep.objects.filter(agency=agency)}
    before = sorted((s.due_day, s.title) for s in existing.values())
    seen = set()
    for order, data in enumerate(sorted(kept, key=lambda s: int(s["due_day"]))):
        step = existing.get(str(data.get("id") or ""))
        values = {"title": data["title"].strip(), "description": (data.get("description") or "").strip(),
                  "due_day": int(data["due_day"]), "order": order}
        if step is None:
            step = OnboardingTemplateStep.objects.create(agency=agency, **values)
        elif apply_changes(step, values):
            step.save()
        seen.add(str(step.pk))
    OnboardingTemplateStep.objects.filter(agency=agency).exclude(pk__in=seen).delete()
    result = list(OnboardingTemplateStep.objects.filter(agency=agency).order_by("due_day", "order"))
    after = sorted((s.due_day, s.title) for s in result)
    if before != after:
        audit(agency=agency, actor=actor, action="onboarding_template.updated", target=agency,
              changes={"steps": ("; ".join(f"{d}: {t}" for d, t in before), "; ".join(f"{d}: {t}" for d, t in after))})
    return result


@transaction.atomic
def onboarding_plan_start(*, agency: Agency, actor, client: Client, started_on=None) -> OnboardingPlan:
    """Create the client's onboarding plan from the template, once: a second call returns the existing plan.
    Step due dates are the start date plus the step's due day (day 1 is the start date)."""
    plan = OnboardingPlan.objects.filter(agency=agency, client=client).first()
    if plan is not None:
        return plan
    template = onboarding_template_ensure(agency=agency)
    start = started_on or client.start_date or timezone.localdate()
    plan = OnboardingPlan.objects.create(agency=agency, client=client, started_on=start)
    OnboardingStep.objects.bulk_create([
        OnboardingStep(agency=agency, plan=plan, title=t.title, description=t.description, order=i,
                       due_on=start + timedelta(days=max(t.due_day - 1, 0)))
        for i, t in enumerate(template)
    ])
    audit(agency=agency, actor=actor, action="onboarding.started", target=client,
          changes={"started_on": (None, start)})
    return plan


def onboarding_start_if_active(*, agency: Agency, actor, client: Client) -> OnboardingPlan | None:
    """Hook for the client services: a client that is (now) onboarding or active gets its plan once."""
    if client.status not in STARTS_ONBOARDING:
        return None
    return onboarding_plan_start(agency=agency, actor=actor, client=client)


@transaction.atomic
def onboarding_step_set_done(*, agency: Agency, actor, step: OnboardingStep, done: bool) -> OnboardingStep:
    """Tick or untick a step; the plan is complete when every step is done."""
    now = timezone.now()
    if done:
        changed = OnboardingStep.objects.filter(agency=agency, pk=step.pk, done_at__isnull=True).update(
            done_at=now, done_by=actor, updated_at=now)
    else:
        changed = OnboardingStep.objects.filter(agency=agency, pk=step.pk, done_at__isnull=False).update(
            done_at=None, done_by=None, updated_at=now)
    if changed:
        audit(agency=agency, actor=actor, action="onboarding.step_done" if done else "onboarding.step_reopened",
              target=step)
        left = OnboardingStep.objects.filter(agency=agency, plan_id=step.plan_id, done_at__isnull=True).exists()
        OnboardingPlan.objects.filter(agency=agency, pk=step.plan_id).update(completed_at=None if left else now)
    step.refresh_from_db()
    return step


@transaction.atomic
def agreement_save(*, agency: Agency, actor, client: Client, data: dict) -> InteractionAgreement:
    """Create or change the client's interaction agreement (the data later used to measure breaches)."""
    data = {k: v for k, v in data.items() if k in AGREEMENT_FIELDS}
    channels = data.get("channels")
    if channels is not None and not set(channels) <= set(Interaction.Channel.values):
        raise ServiceError(_("Pick channels from the list."), field="channels")
    hours = data.get("response_time_hours")
    if hours is not None and not Decimal("0.5") <= Decimal(hours) <= Decimal("240"):
        raise ServiceError(_("The agreed response time must be between 0.5 and 240 business hours."),
                           field="response_time_hours")
    days = data.get("contact_every_days")
    if days is not None and not 1 <= int(days) <= 365:
        raise ServiceError(_("Contact frequency must be between 1 and 365 days."), field="contact_every_days")
    agreement = InteractionAgreement.objects.select_for_update().filter(agency=agency, client=client).first()
    if agreement is None:
        agreement = InteractionAgreement.objects.create(agency=agency, client=client, **data)
        audit(agency=agency, actor=actor, action="agreement.created", target=client)
        return agreement
    changes = apply_changes(agreement, data)
    if changes:
        agreement.save()
        audit(agency=agency, actor=actor, action="agreement.updated", target=client, changes=changes)
    return agreement
