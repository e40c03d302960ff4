"""Shared set-up of the NPS tests: a survey for a world's client login, created through the service."""
from django_scopes import scope

from portal.models import NpsSurvey
from portal.services import nps as nps_services


def survey_for(world, *, capture=None, trigger=NpsSurvey.Trigger.MANUAL) -> NpsSurvey:
    """A survey sent by the AM to the world's client login contact (its e-mail runs when `capture` is given)."""
    contact = world.client_contact.contact
    with scope(agency=world.agency):
        if capture is not None:
            with capture(execute=True):
                return nps_services.nps_survey_send_now(agency=world.agency, actor=world.am.user,
                                                        client=contact.client, contact=contact)
        return nps_services.nps_survey_send_now(agency=world.agency, actor=world.am.user, client=contact.client,
                                                contact=contact)


def token_for(survey: NpsSurvey) -> str:
    with scope(agency=survey.agency):
        return nps_services.link_token(survey=survey)
