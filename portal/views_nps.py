"""NPS pages. The client: open surveys and the answer form in the portal, and the public answer page of the
e-mailed link (no login: signed, expiring, single-use). Staff: a client's NPS page ("send a survey now", the
client's schedule) and the agency's NPS rules."""
import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope

from clients.models import Contact
from clients.selectors import client_get
from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.core.pagination import CappedPaginator
from mrm.tenancy.models import Agency
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from .forms_nps import NpsAnswerForm, NpsPlanForm, NpsSendForm, NpsSettingsForm
from .models import NpsClientPlan, NpsResponse, NpsSurvey
from .models.nps import Schedule
from .selectors.nps import (
    nps_client_current,
    nps_client_surveys_open,
    nps_response_list,
    portal_nps_answer_list,
    portal_nps_survey_get,
    portal_nps_survey_list,
)
from .services import nps as nps_services

# The client, in the portal ---------------------------------------------------------------------------------

@member_required("portal.view")
def nps_list_view(request):
    surveys = list(portal_nps_survey_list(agency=request.agency, membership=request.membership)[:20])
    answers = list(portal_nps_answer_list(agency=request.agency, membership=request.membership)[:20])
    return render(request, "portal/nps_list.html", {"surveys": surveys, "answers": answers})


@member_required("portal.view")
def nps_answer_view(request, survey_id):
    survey = portal_nps_survey_get(agency=request.agency, membership=request.membership, survey_id=survey_id)
    form = NpsAnswerForm(request.POST or None, initial={"score": request.GET.get("score")})
    if request.method == "POST" and survey.answered_at is None and form.is_valid():
        try:
            nps_services.nps_answer(agency=request.agency, actor=request.user, survey=survey,
                                    score=form.cleaned_data["score"], comment=form.cleaned_data["comment"],
                                    channel=NpsResponse.Channel.PORTAL)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Thank you for your answer: your agency reads every comment."))
            return redirect("portal:nps")
    state = _state(survey)
    return render_form(request, "portal/nps_answer.html", {"survey": survey, "form": form, "state": state,
                                                           "scores": range(11)},
                       invalid=request.method == "POST")


def _state(survey: NpsSurvey) -> str:
    from django.utils import timezone

    if survey.answered_at is not None:
        return "answered"
    if survey.expires_at <= timezone.now():
        return "expired"
    return "open"


# The e-mailed link (no login) ------------------------------------------------------------------------------

def _link_survey(token: str) -> tuple[Agency, NpsSurvey]:
    parsed = nps_services.link_token_parse(token)
    if parsed is None:
        raise Http404
    agency_uuid, survey_id, nonce = parsed
    try:
        uuid.UUID(agency_uuid), uuid.UUID(survey_id)
    except ValueError:
        raise Http404 from None
    agency = Agency.objects.filter(uuid=agency_uuid).first()  # Agency is the tenant itself: not scoped
    if agency is None:
        raise Http404
    with scope(agency=agency):
        survey = (NpsSurvey.objects.filter(agency=agency, pk=survey_id)
                  .select_related("contact", "client", "agency").first())
    if survey is None or not nps_services.nonce_matches(survey, nonce):
        raise Http404
    return agency, survey


def nps_link_view(request, token):
    """The survey from its e-mailed link: the form while open; thanks after answering; a clear page (410) for a
    link used already or past its date. A forged or unknown link answers 404."""
    agency, survey = _link_survey(token)
    with scope(agency=agency):
        form = NpsAnswerForm(request.POST or None, initial={"score": request.GET.get("score")})
        state = _state(survey)
        if request.method == "POST" and state == "open" and form.is_valid():
            try:
                nps_services.nps_answer(agency=agency, actor=None, survey=survey, score=form.cleaned_data["score"],
                                        comment=form.cleaned_data["comment"],
                                        channel=NpsResponse.Channel.EMAIL_LINK)
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                return redirect(reverse("portal:nps_link", args=[token]) + "?thanks=1")
            survey.refresh_from_db()
            state = _state(survey)
        if state == "answered" and request.GET.get("thanks") == "1" and request.method == "GET":
            state = "thanks"
        status = 200
        if state in ("answered", "expired"):
            status = 410
        elif request.method == "POST":
            status = 422
        return render(request, "portal/nps_link.html", {
            "public_agency": agency, "survey": survey, "form": form, "state": state, "scores": range(11),
            "action": reverse("portal:nps_link", args=[token])}, status=status)


# Staff: a client's NPS -------------------------------------------------------------------------------------

def _send_contacts(*, agency, client):
    return Contact.objects.filter(agency=agency, client=client).exclude(email="").order_by("-is_primary",
                                                                                          "full_name")


def _client_page(request, client, *, send_form=None, plan_form=None, invalid=False):
    agency = request.agency
    qs = nps_response_list(agency=agency, membership=request.membership, client=client)
    page = CappedPaginator(qs, 25).get_page(request.GET.get("page"))
    plan = NpsClientPlan.objects.filter(agency=agency, client=client).first()
    rules = nps_services.nps_settings_get(agency=agency)
    schedule, after_milestone = nps_services.nps_plan_effective(rules=rules, plan=plan)
    can_send = can(request.membership, "nps.send")
    return render_form(request, "portal/nps_client.html", {
        "client": client, "page": page, "score": nps_client_current(agency=agency, client=client),
        "open_surveys": list(nps_client_surveys_open(agency=agency, client=client)[:20]),
        "rules": rules, "schedule_label": dict(Schedule.choices)[schedule],
        "after_milestone": after_milestone, "can_send": can_send,
        "send_form": send_form or NpsSendForm(contacts=_send_contacts(agency=agency, client=client)),
        "plan_form": plan_form or NpsPlanForm(instance=plan),
    }, invalid=invalid)


@member_required("nps.view")
def nps_client_view(request, client_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    return _client_page(request, client)


@require_POST
@member_required("nps.send")
def nps_send_view(request, client_id):
    """The AM's "send a survey now" to one contact; refused (422, with the date) within the interval."""
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    form = NpsSendForm(request.POST, contacts=_send_contacts(agency=request.agency, client=client))
    if form.is_valid():
        try:
            survey = nps_services.nps_survey_send_now(agency=request.agency, actor=request.user, client=client,
                                                      contact=form.cleaned_data["contact"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The survey is on its way to %(name)s.") % {"name": survey.contact.full_name})
            return redirect("portal:nps_client", client_id=client.pk)
    return _client_page(request, client, send_form=form, invalid=True)


@require_POST
@member_required("nps.send")
def nps_plan_view(request, client_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    plan = NpsClientPlan.objects.filter(agency=request.agency, client=client).first()
    form = NpsPlanForm(request.POST, instance=plan)
    if form.is_valid():
        nps_services.nps_plan_save(agency=request.agency, actor=request.user, client=client,
                                   schedule=form.cleaned_data["schedule"],
                                   after_milestone=form.cleaned_data["after_milestone"])
        messages.success(request, _("The survey schedule of this client is saved."))
        return redirect("portal:nps_client", client_id=client.pk)
    return _client_page(request, client, plan_form=form, invalid=True)


@member_required("nps.settings")
def nps_settings_view(request):
    current = nps_services.nps_settings_get(agency=request.agency)
    form = NpsSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        nps_services.nps_settings_save(agency=request.agency, actor=request.user, data=form.cleaned_data)
        messages.success(request, _("The NPS rules are saved."))
        return redirect("portal:nps_settings")
    return render_form(request, "portal/nps_settings.html", {"form": form}, invalid=request.method == "POST")
