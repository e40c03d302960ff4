"""NPS writes: the agency's rules and a client's plan, creating surveys (scheduled, after a milestone, by the AM)
within the minimum interval, e-mailing their signed links, and recording the one answer a survey takes.

The interval is enforced under a row lock on the contact, and the period / milestone a survey answers to is a
unique key, so a beat that runs twice or two workers racing never ask a contact twice."""
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clients.models import Client, Contact
from mrm.core.errors import ServiceError
from mrm.integrations.mail import send_templated
from mrm.tenancy.models import Agency, Membership, Role
from mrm.tenancy.services import apply_changes, audit

from ..models import NpsClientPlan, NpsResponse, NpsSettings, NpsSurvey
from ..models.nps import Schedule

logger = logging.getLogger(__name__)

LINK_SALT = "portal.nps-link"
SETTINGS_FIELDS = ("min_interval_days", "default_schedule", "after_milestone", "link_valid_days")
# How long a schedule's period is: a contact asked in one is due again in the next one.
PERIOD_DAYS = {Schedule.QUARTERLY: 91, Schedule.HALF_YEARLY: 182}


# Rules ---------------------------------------------------------------------------------------------------------

def nps_settings_get(*, agency: Agency) -> NpsSettings:
    """The agency's NPS rules (created with the defaults on first use)."""
    found = NpsSettings.objects.filter(agency=agency).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return NpsSettings.objects.create(agency=agency)
    except IntegrityError:  # created meanwhile by another request
        return NpsSettings.objects.get(agency=agency)


@transaction.atomic
def nps_settings_save(*, agency: Agency, actor, data: dict) -> NpsSettings:
    current = nps_settings_get(agency=agency)
    current = NpsSettings.objects.select_for_update().get(agency=agency, pk=current.pk)
    changes = apply_changes(current, {k: v for k, v in data.items() if k in SETTINGS_FIELDS})
    if changes:
        current.save()
        audit(agency=agency, actor=actor, action="nps_settings.updated", target=current, changes=changes)
    return current


def nps_plan_effective(*, rules: NpsSettings, plan: NpsClientPlan | None) -> tuple[str, bool]:
    """(schedule, ask after milestones) for a client: its plan where set, else the agency's defaults."""
    schedule = (plan.schedule if plan and plan.schedule else rules.default_schedule)
    if plan and plan.after_milestone:
        return schedule, plan.after_milestone == NpsClientPlan.Milestones.ON
    return schedule, rules.after_milestone


@transaction.atomic
def nps_plan_save(*, agency: Agency, actor, client: Client, schedule: str, after_milestone: str) -> NpsClientPlan:
    plan, _created = NpsClientPlan.objects.select_for_update().get_or_create(agency=agency, client=client)
    changes = apply_changes(plan, {"schedule": schedule, "after_milestone": after_milestone})
    if changes:
        plan.save()
        audit(agency=agency, actor=actor, action="nps_plan.updated", target=client, changes=changes)
    return plan


def period_key(*, schedule: str, when: datetime) -> str:
    if schedule == Schedule.QUARTERLY:
        return f"{when.year}-Q{(when.month - 1) // 3 + 1}"
    return f"{when.year}-H{1 if when.month <= 6 else 2}"


def survey_recipients(*, agency: Agency, client_ids) -> dict:
    """{client id: [contacts]} asked by automatic surveys: contacts with an e-mail that are the primary contact or
    have an active portal login (not everyone the CRM ever met at the company)."""
    logins = Membership.objects.filter(agency=agency, role=Role.CLIENT, is_active=True,
                                       contact__isnull=False).values("contact_id")
    found: dict = {}
    for contact in (Contact.objects.filter(agency=agency, client_id__in=client_ids).exclude(email="")
                    .filter(Q(is_primary=True) | Q(pk__in=logins)).order_by("full_name")):
        found.setdefault(contact.client_id, []).append(contact)
    return found


# Creating surveys ----------------------------------------------------------------------------------------------

def next_allowed_at(*, agency: Agency, contact: Contact, rules: NpsSettings | None = None) -> datetime | None:
    """When this contact may be asked again (None: now)."""
    rules = rules or nps_settings_get(agency=agency)
    last = NpsSurvey.objects.filter(agency=agency, contact=contact).aggregate(last=Max("sent_at"))["last"]
    if last is None:
        return None
    allowed = last + timedelta(days=rules.min_interval_days)
    return allowed if allowed > timezone.now() else None


@transaction.atomic
def _survey_create(*, agency: Agency, actor, contact: Contact, trigger: str, trigger_ref: str = "",
                   trigger_label: str = "", rules: NpsSettings) -> tuple[NpsSurvey | None, datetime | None]:
    """Create a survey unless the contact was asked within the interval or for this trigger already:
    (survey, None), or (None, the date it is allowed again; None when this trigger was asked already)."""
    contact = Contact.objects.select_for_update().get(agency=agency, pk=contact.pk)  # serialises racing runs
    if trigger_ref and NpsSurvey.objects.filter(agency=agency, contact=contact, trigger=trigger,
                                                trigger_ref=trigger_ref).exists():
        return None, None
    allowed = next_allowed_at(agency=agency, contact=contact, rules=rules)
    if allowed is not None:
        return None, allowed
    now = timezone.now()
    survey = NpsSurvey.objects.create(
        agency=agency, client_id=contact.client_id, contact=contact, trigger=trigger, trigger_ref=trigger_ref[:64],
        trigger_label=trigger_label[:300], created_by=actor if getattr(actor, "is_authenticated", False) else None,
        sent_at=now, expires_at=now + timedelta(days=rules.link_valid_days))
    audit(agency=agency, actor=actor, action="nps_survey.sent", target=survey,
          changes={"trigger": (None, trigger), "contact": (None, contact.full_name)})
    from ..tasks import nps_survey_email_task

    agency_id, survey_id = agency.pk, str(survey.pk)
    transaction.on_commit(lambda: nps_survey_email_task.delay(agency_id=agency_id, survey_id=survey_id))
    return survey, None


def nps_survey_send_now(*, agency: Agency, actor, client: Client, contact: Contact) -> NpsSurvey:
    """The AM's "send a survey now": refused with the date it becomes possible when the contact was asked within
    the agency's minimum interval."""
    if contact.client_id != client.pk:
        raise ServiceError(_("Choose a contact of this client."), field="contact")
    if not contact.email:
        raise ServiceError(_("This contact has no e-mail: add one on the contact's card first."), field="contact")
    rules = nps_settings_get(agency=agency)
    survey, allowed = _survey_create(agency=agency, actor=actor, contact=contact,
                                     trigger=NpsSurvey.Trigger.MANUAL, rules=rules)
    if survey is None:
        raise ServiceError(_("Too soon: %(name)s was asked less than %(days)d days ago. The next survey is possible "
                             "from %(date)s.") % {"name": contact.full_name, "days": rules.min_interval_days,
                                                  "date": date_format(timezone.localtime(allowed), "DATE_FORMAT")},
                           field="contact", code="too_soon")
    return survey


def nps_schedule_agency(*, agency: Agency) -> int:
    """The daily run: for each active client whose schedule is on, ask its recipients once per period and never
    within the interval. Running it twice the same day creates nothing the second time."""
    rules = nps_settings_get(agency=agency)
    plans = {p.client_id: p for p in NpsClientPlan.objects.filter(agency=agency)}
    now = timezone.now()
    due = {}
    for client_id in Client.objects.filter(agency=agency, status=Client.Status.ACTIVE).values_list("pk", flat=True):
        schedule, _milestones = nps_plan_effective(rules=rules, plan=plans.get(client_id))
        if schedule != Schedule.OFF:
            due[client_id] = schedule
    if not due:
        return 0
    recipients = survey_recipients(agency=agency, client_ids=list(due))
    contact_ids = [c.pk for people in recipients.values() for c in people]
    last = dict(NpsSurvey.objects.filter(agency=agency, contact_id__in=contact_ids).values("contact_id")
                .annotate(last=Max("sent_at")).values_list("contact_id", "last"))
    created = 0
    for client_id, schedule in due.items():
        key = period_key(schedule=schedule, when=now)
        for contact in recipients.get(client_id, []):
            previous = last.get(contact.pk)
            if previous and previous > now - timedelta(days=min(rules.min_interval_days, PERIOD_DAYS[schedule])):
                continue  # asked recently: no need to take the lock
            survey, _allowed = _survey_create(agency=agency, actor=None, contact=contact,
                                              trigger=NpsSurvey.Trigger.SCHEDULED, trigger_ref=key, rules=rules)
            created += survey is not None
    return created


def nps_milestone_reached(*, agency: Agency, project_id, milestone_id, milestone_title: str = "") -> int:
    """A client-visible milestone was reached: ask the client's recipients (if its plan says so), within the
    interval; the same milestone never asks twice."""
    from projects.models import Project

    project = Project.objects.filter(agency=agency, pk=project_id).select_related("client").first()
    if project is None or project.client_id is None:
        return 0
    rules = nps_settings_get(agency=agency)
    _schedule, ask = nps_plan_effective(rules=rules, plan=NpsClientPlan.objects.filter(
        agency=agency, client_id=project.client_id).first())
    if not ask:
        return 0
    created = 0
    label = f"{milestone_title} · {project.name}" if milestone_title else project.name
    for contact in survey_recipients(agency=agency, client_ids=[project.client_id]).get(project.client_id, []):
        survey, _allowed = _survey_create(agency=agency, actor=None, contact=contact,
                                          trigger=NpsSurvey.Trigger.MILESTONE, trigger_ref=str(milestone_id),
                                          trigger_label=label, rules=rules)
        created += survey is not None
    return created


# The link and its e-mail ---------------------------------------------------------------------------------------

def link_token(*, survey: NpsSurvey) -> str:
    return signing.dumps([str(survey.agency.uuid), str(survey.pk), survey.nonce], salt=LINK_SALT, compress=True)


def link_token_parse(token: str) -> tuple[str, str, str] | None:
    try:
        agency_uuid, survey_id, nonce = signing.loads(token, salt=LINK_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return str(agency_uuid), str(survey_id), str(nonce)


def nonce_matches(survey: NpsSurvey, nonce: str) -> bool:
    return constant_time_compare(survey.nonce, nonce)


def link_url(*, survey: NpsSurvey) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("portal:nps_link", args=[link_token(survey=survey)])


def deliver(*, agency_id: int, survey_id: str) -> bool:
    """E-mail the survey's link once: claimed with a compare-and-set on `email_claimed_at` (a claim older than the
    job lease is taken again), marked `emailed_at` when the server took it. Answered surveys are not mailed."""
    survey = NpsSurvey.objects.select_related("agency", "contact", "client__owner").filter(
        agency_id=agency_id, pk=survey_id, emailed_at__isnull=True, answered_at__isnull=True).first()
    if survey is None or not survey.contact.email:
        return False
    now = timezone.now()
    abandoned = now - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    claimed = NpsSurvey.objects.filter(
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=abandoned),
        agency_id=agency_id, pk=survey.pk, emailed_at__isnull=True).update(email_claimed_at=now)
    if not claimed:
        return False
    agency, owner = survey.agency, survey.client.owner
    try:
        send_templated(
            to=[survey.contact.email],
            subject=_("%(agency)s: how likely are you to recommend us?") % {"agency": agency.name},
            template="emails/portal/nps_survey",
            context={"survey": survey, "contact": survey.contact, "agency": agency, "owner": owner,
                     "link": link_url(survey=survey), "scores": range(11)},
            reply_to=[owner.email] if owner and owner.email else None)
    except Exception:
        NpsSurvey.objects.filter(agency_id=agency_id, pk=survey.pk).update(email_claimed_at=None)
        logger.exception("nps survey %s: e-mail failed", survey.pk)
        raise OSError("mail delivery failed") from None
    NpsSurvey.objects.filter(agency_id=agency_id, pk=survey.pk).update(emailed_at=timezone.now())
    return True


# Answering -----------------------------------------------------------------------------------------------------

@transaction.atomic
def nps_answer(*, agency: Agency, actor, survey: NpsSurvey, score: int, comment: str, channel: str) -> NpsResponse:
    """Record the one answer of a survey; a second answer or an expired link is refused with a clear message."""
    survey = NpsSurvey.objects.select_for_update().select_related("contact").get(agency=agency, pk=survey.pk)
    if survey.answered_at is not None:
        raise ServiceError(_("This survey has already been answered. Thank you!"), code="answered")
    now = timezone.now()
    if survey.expires_at <= now:
        raise ServiceError(_("This survey has expired. If you want to tell us something, just reply to our e-mail "
                             "or write to your account manager."), code="expired")
    if not 0 <= int(score) <= 10:
        raise ServiceError(_("Choose a score from 0 to 10."), field="score")
    survey.answered_at = now
    survey.save(update_fields=["answered_at", "updated_at"])
    response = NpsResponse.objects.create(
        agency=agency, survey=survey, client_id=survey.client_id, contact=survey.contact,
        contact_name=survey.contact.full_name[:150], trigger=survey.trigger, score=int(score),
        comment=(comment or "").strip()[:2000], channel=channel, answered_at=now)
    audit(agency=agency, actor=actor, action="nps_survey.answered", target=survey,
          changes={"score": (None, response.score), "channel": (None, channel)})
    from dashboards.health_rollups import health_rollup_schedule
    from dashboards.rollups import kpi_rollup_schedule

    kpi_rollup_schedule(agency=agency)  # the director's NPS tile reads the daily rollup (h-dashbench)
    health_rollup_schedule(agency=agency)  # the client's health score reads its latest NPS answers
    return response
