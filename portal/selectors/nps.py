"""NPS reads. Portal: the client login's own open surveys and answers (fenced to its company and its contact).
Staff: a client's answers and its current NPS (the clients the member may see), and the NPS figure itself."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from clients.models import Client
from clients.selectors.companies import client_visibility_q
from mrm.core.freshness import changes_at
from mrm.tenancy.models import Agency, Membership

from ..models import NpsResponse, NpsSurvey
from . import portal_fence

CURRENT_DAYS = 365  # "the company's current NPS": the answers of the last twelve months


# Portal ------------------------------------------------------------------------------------------------------

def portal_nps_survey_list(*, agency: Agency, membership: Membership) -> QuerySet[NpsSurvey]:
    """The login's own surveys still to answer (not answered, not expired), newest first."""
    return (portal_fence(NpsSurvey.objects.all(), agency=agency, membership=membership)
            .filter(contact_id=membership.contact_id, answered_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-sent_at"))


def portal_nps_survey_get(*, agency: Agency, membership: Membership, survey_id) -> NpsSurvey:
    """One of the login's own surveys (answered or not, to say so); 404 for anyone else's."""
    survey = (portal_fence(NpsSurvey.objects.all(), agency=agency, membership=membership)
              .filter(contact_id=membership.contact_id, pk=survey_id).first())
    if survey is None:
        raise Http404
    return survey


def portal_nps_answer_list(*, agency: Agency, membership: Membership) -> QuerySet[NpsResponse]:
    """The login's own past answers."""
    return (portal_fence(NpsResponse.objects.all(), agency=agency, membership=membership)
            .filter(contact_id=membership.contact_id).order_by("-answered_at"))


# Staff -------------------------------------------------------------------------------------------------------

def nps_response_list(*, agency: Agency, membership: Membership, client: Client | None = None) -> QuerySet:
    """Answers of the clients the member may see (of one client when given)."""
    qs = NpsResponse.objects.filter(agency=agency).filter(client_visibility_q(membership=membership,
                                                                              prefix="client__"))
    if client is not None:
        qs = qs.filter(client=client)
    return qs.select_related("client", "contact").order_by("-answered_at", "pk")


@dataclass(frozen=True)
class NpsScore:
    count: int
    promoters: int
    passives: int
    detractors: int
    oldest: datetime | None = None  # the earliest answer counted

    @property
    def nps(self) -> int | None:
        """% promoters − % detractors, rounded; None with no answers (never a made-up 0)."""
        if not self.count:
            return None
        return round(100 * (self.promoters - self.detractors) / self.count)


def nps_score(responses: QuerySet) -> NpsScore:
    """The NPS of a set of answers, in one query."""
    row = responses.order_by().aggregate(count=Count("pk"), promoters=Count("pk", filter=Q(score__gte=9)),
                                         detractors=Count("pk", filter=Q(score__lte=6)), oldest=Min("answered_at"))
    return NpsScore(count=row["count"], promoters=row["promoters"], detractors=row["detractors"],
                    passives=row["count"] - row["promoters"] - row["detractors"], oldest=row["oldest"])


def nps_client_current(*, agency: Agency, client: Client) -> NpsScore:
    since = timezone.now() - timedelta(days=CURRENT_DAYS)
    score = nps_score(NpsResponse.objects.filter(agency=agency, client=client, answered_at__gte=since))
    if score.oldest is not None:
        changes_at(score.oldest + timedelta(days=CURRENT_DAYS))  # the score changes when that answer leaves the window
    return score


def nps_client_surveys_open(*, agency: Agency, client: Client) -> QuerySet[NpsSurvey]:
    return (NpsSurvey.objects.filter(agency=agency, client=client, answered_at__isnull=True,
                                     expires_at__gt=timezone.now()).select_related("contact").order_by("-sent_at"))
