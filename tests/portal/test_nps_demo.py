"""The demo seed gives each agency's client login a survey to answer and the client pages a history."""
import pytest
from django.core.management import call_command
from django_scopes import scope

from mrm.core.demo import AGENCIES
from mrm.tenancy.models import Agency, Membership, Role
from portal.models import NpsResponse, NpsSurvey


@pytest.mark.django_db
def test_seed_demo_creates_an_open_survey_and_past_answers():
    from portal.demo_nps import seed_nps

    call_command("seed_demo", "--quiet")
    for demo in AGENCIES:
        agency = Agency.objects.get(slug=demo.slug)
        with scope(agency=agency):
            login = Membership.objects.get(agency=agency, role=Role.CLIENT)
            assert NpsSurvey.objects.filter(agency=agency, contact_id=login.contact_id,
                                            answered_at__isnull=True).count() == 1
            count = NpsResponse.objects.filter(agency=agency).count()
            assert count >= 5
            seed_nps(agency=agency, members={"client": login})  # again: nothing new
            assert NpsResponse.objects.filter(agency=agency).count() == count
