"""seed_demo builds a realistic portfolio and is safe to run again."""
import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from clients import models as crm

pytestmark = pytest.mark.django_db

MODELS = (crm.Client, crm.Contact, crm.Interaction, crm.Deal, crm.Invoice, crm.AccountPlan, crm.AccountObjective,
          crm.OnboardingPlan, crm.OnboardingStep, crm.OnboardingTemplateStep, crm.InteractionAgreement, crm.Task,
          crm.Tag)


def _counts() -> dict[str, int]:
    with scopes_disabled():
        return {m.__name__: m.objects.count() for m in MODELS} | {
            "participants": crm.Interaction.contacts.through.objects.count(),
            "client tags": crm.Client.tags.through.objects.count(),
        }


def test_seed_demo_twice_creates_nothing_new():
    call_command("seed_demo", quiet=True)
    first = _counts()
    call_command("seed_demo", quiet=True)
    assert _counts() == first
    assert first["Client"] == 80 and first["Interaction"] > 1000 and first["Invoice"] > 400


def test_seed_demo_portfolio_covers_every_status_stage_and_quadrant():
    call_command("seed_demo", quiet=True)
    with scopes_disabled():
        for slug in ("sever-digital", "piksel-media"):
            clients = crm.Client.objects.filter(agency__slug=slug)
            assert set(clients.values_list("status", flat=True)) == set(crm.Client.Status.values)
            assert not clients.filter(status="churned", churn_reason="").exists()
            plans = crm.AccountPlan.objects.filter(agency__slug=slug)
            assert set(plans.values_list("quadrant", flat=True)) == set(crm.AccountPlan.Quadrant.values)
            deals = crm.Deal.objects.filter(agency__slug=slug)
            assert set(deals.values_list("stage", flat=True)) == set(crm.Deal.Stage.values)
            assert {"upsell", "cross_sell", "renewal", "new_business"} <= set(deals.values_list("kind", flat=True))
            assert not deals.filter(stage="lost", lost_reason="").exists()
            # Every client has exactly one primary contact.
            assert crm.Contact.objects.filter(agency__slug=slug, is_primary=True).count() == clients.count()
            interactions = crm.Interaction.objects.filter(agency__slug=slug)
            assert interactions.filter(is_unplanned=True).exists() and interactions.filter(is_urgent=True).exists()
            assert interactions.filter(is_extra_revision=True).exists()
            assert interactions.filter(needs_reply=True, replied_at=None).exists()
            assert crm.Invoice.objects.filter(agency__slug=slug, status="paid").values("issued_on__month").distinct(
            ).count() == 12
            onboarding = crm.OnboardingStep.objects.filter(agency__slug=slug, plan__client__status="onboarding")
            assert onboarding.filter(done_at__isnull=False).exists() and onboarding.filter(done_at=None).exists()
            tasks = crm.Task.objects.filter(agency__slug=slug, done_at=None)
            assert tasks.filter(kind="follow_up").exists() and tasks.count() >= 20
