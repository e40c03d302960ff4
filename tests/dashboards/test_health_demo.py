"""seed_demo gives a real at-risk list: a few clients at risk for different reasons, the rows built; runs twice."""
from django.core.management import call_command
from django_scopes import scopes_disabled

from dashboards.models import ClientHealth, ClientHealthState
from mrm.tenancy.models import Agency


def test_seed_demo_builds_a_varied_at_risk_list(db):
    call_command("seed_demo", "--quiet")
    call_command("seed_demo", "--quiet")  # again: nothing doubled, rows rebuilt
    with scopes_disabled():
        for agency in Agency.objects.all():
            assert ClientHealthState.objects.filter(agency=agency).exists()
            risky = ClientHealth.objects.filter(agency=agency).exclude(band="healthy")
            assert risky.filter(band="at_risk").count() >= 1
            assert len({row.action_key for row in risky}) >= 3
