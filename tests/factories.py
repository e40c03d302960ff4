"""Factories for every model. They create rows without an active scope (create is allowed by
django-scopes); anything that reads goes through `scopes_disabled` here and only here."""
import factory
from django_scopes import scopes_disabled

from clients import models as crm
from mrm.accounts.models import User
from mrm.jobs.models import Job
from mrm.tenancy.models import Agency, AuditLog, Holiday, Invitation, Membership, Role

PASSWORD = "correct-horse-battery-9"


class UnscopedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        with scopes_disabled():
            return super()._after_postgeneration(instance, create, results)


class AgencyFactory(UnscopedFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Агентство {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")


class UserFactory(UnscopedFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Сотрудник {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(UnscopedFactory):
    class Meta:
        model = Membership

    agency = factory.SubFactory(AgencyFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.AM


class HolidayFactory(UnscopedFactory):
    class Meta:
        model = Holiday

    agency = factory.SubFactory(AgencyFactory)
    date = factory.Sequence(lambda n: __import__("datetime").date(2026, 1, 1) + __import__("datetime").timedelta(n))
    name = "Праздник"


class InvitationFactory(UnscopedFactory):
    class Meta:
        model = Invitation

    agency = factory.SubFactory(AgencyFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    token_hash = factory.Sequence(lambda n: f"{n:064d}")


class AuditLogFactory(UnscopedFactory):
    class Meta:
        model = AuditLog

    agency = factory.SubFactory(AgencyFactory)
    action = "client.updated"


class JobFactory(UnscopedFactory):
    class Meta:
        model = Job

    agency = factory.SubFactory(AgencyFactory)
    kind = "test"
    title = "Test job"


class ClientFactory(UnscopedFactory):
    class Meta:
        model = crm.Client

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Клиент {n}")
    status = crm.Client.Status.ACTIVE


class ContactFactory(UnscopedFactory):
    class Meta:
        model = crm.Contact

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    full_name = factory.Sequence(lambda n: f"Контакт {n}")
    email = factory.Sequence(lambda n: f"contact{n}@client.example")


class DealFactory(UnscopedFactory):
    class Meta:
        model = crm.Deal

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    title = factory.Sequence(lambda n: f"Сделка {n}")
    amount = 100000
    stage = "new"
    # pipelines: the column of `stage` in the agency's default pipeline (created on first use)
    pipeline_stage = factory.LazyAttribute(lambda o: default_stage(o.agency, o.stage))


class InteractionFactory(UnscopedFactory):
    class Meta:
        model = crm.Interaction

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    subject = "Созвон"


class TaskFactory(UnscopedFactory):
    class Meta:
        model = crm.Task

    agency = factory.SubFactory(AgencyFactory)
    title = factory.Sequence(lambda n: f"Задача {n}")


class InvoiceFactory(UnscopedFactory):
    class Meta:
        model = crm.Invoice

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    number = factory.Sequence(lambda n: f"INV-{n}")
    issued_on = factory.Faker("date_this_year")
    amount = 50000


class ImportFileFactory(UnscopedFactory):
    class Meta:
        model = crm.ImportFile

    agency = factory.SubFactory(AgencyFactory)
    original_name = "clients.csv"
    encoding = "utf-8"
    delimiter = ";"
    headers = factory.LazyFunction(lambda: ["Название компании"])
    mapping = factory.LazyFunction(lambda: {"0": "name"})
    match_key = "name"
    report = factory.LazyFunction(lambda: {"rows": 1, "errors": [{"line": 2, "errors": ["x"]}]})


class ClientFileFactory(UnscopedFactory):
    class Meta:
        model = crm.ClientFile

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    name = factory.Sequence(lambda n: f"Документ {n}")
    file = factory.django.FileField(filename="doc.pdf", data=b"%PDF-1.4 test")
    content_type = "application/pdf"
    size = 13


class OnboardingPlanFactory(UnscopedFactory):
    class Meta:
        model = crm.OnboardingPlan

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    started_on = factory.LazyFunction(lambda: __import__("datetime").date.today())


class OnboardingStepFactory(UnscopedFactory):
    class Meta:
        model = crm.OnboardingStep

    plan = factory.SubFactory(OnboardingPlanFactory)
    agency = factory.SelfAttribute("plan.agency")
    title = factory.Sequence(lambda n: f"Шаг {n}")
    due_on = factory.LazyFunction(lambda: __import__("datetime").date.today())


class AccountPlanFactory(UnscopedFactory):
    class Meta:
        model = crm.AccountPlan

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")


# --- proposals (briefs, catalog, КП) -------------------------------------------------------------
from proposals import models as kp  # noqa: E402


class RateRoleFactory(UnscopedFactory):
    class Meta:
        model = kp.RateRole

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Роль {n}")
    hourly_rate = 3000
    cost_rate = 1500


class ServiceFactory(UnscopedFactory):
    class Meta:
        model = kp.Service
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    discipline = kp.Discipline.SMM
    name = factory.Sequence(lambda n: f"Услуга {n}")
    hours_min = 10
    hours_max = 20

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            with scopes_disabled():
                obj.roles.set(extracted if extracted is not None else [RateRoleFactory(agency=obj.agency)])


class BriefTemplateFactory(UnscopedFactory):
    class Meta:
        model = kp.BriefTemplate

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Тип брифа {n}")
    questions = "Какие соцсети уже ведёте?\nКакой тон общения вам близок?"


class BriefFactory(UnscopedFactory):
    class Meta:
        model = kp.Brief

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    company_name = factory.SelfAttribute("client.name")
    contact_name = "Ирина Павлова"
    contact_email = factory.Sequence(lambda n: f"brief{n}@client.example")
    goals = "Больше заявок с сайта"
    channels = factory.LazyFunction(lambda: ["smm"])


class CaseFactory(UnscopedFactory):
    class Meta:
        model = kp.Case

    agency = factory.SubFactory(AgencyFactory)
    title = factory.Sequence(lambda n: f"Кейс {n}")


class ProposalFactory(UnscopedFactory):
    class Meta:
        model = kp.Proposal

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    title = factory.Sequence(lambda n: f"КП {n}")
    issued_on = factory.LazyFunction(lambda: __import__("datetime").date.today())
    valid_until = factory.LazyFunction(lambda: __import__("datetime").date.today()
                                       + __import__("datetime").timedelta(days=14))


class ProposalSectionFactory(UnscopedFactory):
    class Meta:
        model = kp.ProposalSection

    proposal = factory.SubFactory(ProposalFactory)
    agency = factory.SelfAttribute("proposal.agency")
    title = "Как мы поняли задачу"
    body = "Текст"


class EstimateLineFactory(UnscopedFactory):
    class Meta:
        model = kp.EstimateLine

    proposal = factory.SubFactory(ProposalFactory)
    agency = factory.SelfAttribute("proposal.agency")
    name = "Ведение сообществ"
    role_name = "SMM-менеджер"
    stage = "SMM"
    hours = 10
    rate = 3000
    amount = 30000


class ProposalTeamMemberFactory(UnscopedFactory):
    class Meta:
        model = kp.ProposalTeamMember

    proposal = factory.SubFactory(ProposalFactory)
    agency = factory.SelfAttribute("proposal.agency")
    user = factory.SubFactory(UserFactory)


class ProposalVersionFactory(UnscopedFactory):
    class Meta:
        model = kp.ProposalVersion

    proposal = factory.SubFactory(ProposalFactory)
    agency = factory.SelfAttribute("proposal.agency")
    number = factory.Sequence(lambda n: n + 1)
    snapshot = factory.LazyFunction(dict)
    content_hash = "0" * 64
    total = 0


class RecipientFactory(UnscopedFactory):
    class Meta:
        model = kp.Recipient

    version = factory.SubFactory(ProposalVersionFactory)
    proposal = factory.SelfAttribute("version.proposal")
    agency = factory.SelfAttribute("version.agency")
    name = "Ирина Павлова"
    email = factory.Sequence(lambda n: f"recipient{n}@client.example")


# --- projects ---------------------------------------------------------------------------------------
from projects import models as pj  # noqa: E402


class ProjectFactory(UnscopedFactory):
    class Meta:
        model = pj.Project

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    name = factory.Sequence(lambda n: f"Проект {n}")
    status = pj.Project.Status.ACTIVE


class ProjectMemberFactory(UnscopedFactory):
    class Meta:
        model = pj.ProjectMember

    project = factory.SubFactory(ProjectFactory)
    agency = factory.SelfAttribute("project.agency")
    user = factory.SubFactory(UserFactory)


class WorkstreamFactory(UnscopedFactory):
    class Meta:
        model = pj.Workstream

    project = factory.SubFactory(ProjectFactory)
    agency = factory.SelfAttribute("project.agency")
    name = factory.Sequence(lambda n: f"Направление {n}")


class MilestoneFactory(UnscopedFactory):
    class Meta:
        model = pj.Milestone

    project = factory.SubFactory(ProjectFactory)
    agency = factory.SelfAttribute("project.agency")
    title = factory.Sequence(lambda n: f"Веха {n}")


class ProjectTaskFactory(UnscopedFactory):
    class Meta:
        model = pj.ProjectTask

    project = factory.SubFactory(ProjectFactory)
    agency = factory.SelfAttribute("project.agency")
    title = factory.Sequence(lambda n: f"Задача проекта {n}")
    estimate_hours = 8


class BudgetLineFactory(UnscopedFactory):
    class Meta:
        model = pj.BudgetLine

    project = factory.SubFactory(ProjectFactory)
    agency = factory.SelfAttribute("project.agency")
    role_name = "Дизайнер"
    hours = 10
    sell_rate = 3000
    cost_rate = 1500
    amount = 30000
    cost_amount = 15000


class TimeEntryFactory(UnscopedFactory):
    class Meta:
        model = pj.TimeEntry

    project = factory.SubFactory(ProjectFactory)
    agency = factory.SelfAttribute("project.agency")
    user = factory.SubFactory(UserFactory)
    date = factory.LazyFunction(lambda: __import__("datetime").date.today())
    hours = 2

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """As the time services do: the task's logged hours follow its entries."""
        entry = super()._create(model_class, *args, **kwargs)
        from projects.services.logged import task_logged_refresh

        with scopes_disabled():
            task_logged_refresh(agency=entry.agency, task_ids=[entry.task_id])
        return entry


# projects: alerts
from django.utils import timezone as _timezone  # noqa: E402


class AlertFactory(UnscopedFactory):
    class Meta:
        model = pj.Alert

    project = factory.SubFactory(ProjectFactory)
    agency = factory.SelfAttribute("project.agency")
    kind = "budget_burn"
    subject_key = factory.Sequence(lambda n: f"project:{n}")
    subject_label = "Проект"
    severity = "warning"
    reason = "Бюджет расходуется быстрее работы."
    value = 20.0
    first_raised_at = factory.LazyFunction(_timezone.now)
    raised_at = factory.SelfAttribute("first_raised_at")
    last_seen_at = factory.SelfAttribute("first_raised_at")
# projects, work area (h-work): dependencies, task comments and files.
class TaskDependencyFactory(UnscopedFactory):
    class Meta:
        model = pj.TaskDependency

    successor = factory.SubFactory(ProjectTaskFactory)
    predecessor = factory.SubFactory(ProjectTaskFactory, project=factory.SelfAttribute("..successor.project"))
    agency = factory.SelfAttribute("successor.agency")


class TaskCommentFactory(UnscopedFactory):
    class Meta:
        model = pj.Comment

    task = factory.SubFactory(ProjectTaskFactory)
    agency = factory.SelfAttribute("task.agency")
    body = factory.Sequence(lambda n: f"Комментарий {n}")


class TaskAttachmentFactory(UnscopedFactory):
    class Meta:
        model = pj.TaskAttachment

    task = factory.SubFactory(ProjectTaskFactory)
    agency = factory.SelfAttribute("task.agency")
    name = factory.Sequence(lambda n: f"Макет {n}")
    file = factory.django.FileField(filename="layout.pdf", data=b"%PDF-1.4 test")
    content_type = "application/pdf"
    size = 13
# --- change requests (projects) ---------------------------------------------------------------------
class ChangeRequestFactory(UnscopedFactory):
    class Meta:
        model = pj.ChangeRequest

    project = factory.SubFactory(ProjectFactory)
    agency = factory.SelfAttribute("project.agency")
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Доработка {n}")


class ChangeRequestLineFactory(UnscopedFactory):
    class Meta:
        model = pj.ChangeRequestLine

    change_request = factory.SubFactory(ChangeRequestFactory)
    agency = factory.SelfAttribute("change_request.agency")
    role_name = "Дизайнер"
    description = "Ещё один баннер"
    hours = 4
    rate = 3000
    amount = 12000
# --- projects: time ---
class TimeOffFactory(UnscopedFactory):
    class Meta:
        model = pj.TimeOff

    agency = factory.SubFactory(AgencyFactory)
    user = factory.SubFactory(UserFactory)
    start_date = factory.LazyFunction(lambda: __import__("datetime").date.today())
    end_date = factory.SelfAttribute("start_date")
# --- Notifications (mrm/notifications) ------------------------------------------------------------
from mrm.notifications import models as nt  # noqa: E402


class NotificationFactory(UnscopedFactory):
    class Meta:
        model = nt.Notification

    agency = factory.SubFactory(AgencyFactory)
    recipient = factory.SubFactory(UserFactory)
    kind = "task.assigned"
    title = factory.Sequence(lambda n: f"Уведомление {n}")
    key = factory.Sequence(lambda n: f"test:{n}")


# --- requests (comms, h-requests) ------------------------------------------------------------------
from comms import models as cm  # noqa: E402


class ClientRequestFactory(UnscopedFactory):
    class Meta:
        model = cm.ClientRequest

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    number = factory.Sequence(lambda n: 100_000 + n)
    kind = cm.ClientRequest.Kind.QUESTION
    subject = factory.Sequence(lambda n: f"Вопрос {n}")
    target_minutes = 240
    awaiting_since = factory.LazyFunction(_timezone.now)


class RequestMessageFactory(UnscopedFactory):
    class Meta:
        model = cm.Message

    thread = factory.SubFactory(ClientRequestFactory)
    agency = factory.SelfAttribute("thread.agency")
    direction = cm.Direction.INBOUND
    body = factory.Sequence(lambda n: f"Сообщение {n}")


class RequestAttachmentFactory(UnscopedFactory):
    class Meta:
        model = cm.Attachment

    message = factory.SubFactory(RequestMessageFactory)
    agency = factory.SelfAttribute("message.agency")
    file = factory.django.FileField(filename="brief.txt", data=b"hello")
    name = "brief.txt"
    content_type = "text/plain"
    size = 5
# --- nps ---
from datetime import timedelta as _timedelta  # noqa: E402

from portal import models as nps  # noqa: E402


class NpsSurveyFactory(UnscopedFactory):
    class Meta:
        model = nps.NpsSurvey

    contact = factory.SubFactory(ContactFactory)
    client = factory.SelfAttribute("contact.client")
    agency = factory.SelfAttribute("contact.agency")
    trigger = "manual"
    sent_at = factory.LazyFunction(_timezone.now)
    expires_at = factory.LazyFunction(lambda: _timezone.now() + _timedelta(days=30))


class NpsResponseFactory(UnscopedFactory):
    class Meta:
        model = nps.NpsResponse

    survey = factory.SubFactory(NpsSurveyFactory)
    agency = factory.SelfAttribute("survey.agency")
    client = factory.SelfAttribute("survey.client")
    contact = factory.SelfAttribute("survey.contact")
    contact_name = factory.SelfAttribute("survey.contact.full_name")
    trigger = factory.SelfAttribute("survey.trigger")
    score = 9
    channel = "portal"
    answered_at = factory.LazyFunction(_timezone.now)
# --- reporting ---
from reporting import models as rp  # noqa: E402


class DataSourceFactory(UnscopedFactory):
    class Meta:
        model = rp.DataSource

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    name = factory.Sequence(lambda n: f"Источник {n}")
    kind = rp.DataSource.Kind.FILE


class CampaignFactory(UnscopedFactory):
    class Meta:
        model = rp.Campaign

    source = factory.SubFactory(DataSourceFactory)
    agency = factory.SelfAttribute("source.agency")
    external_id = factory.Sequence(lambda n: f"c{n}")
    name = factory.Sequence(lambda n: f"Кампания {n}")


class DailyMetricFactory(UnscopedFactory):
    class Meta:
        model = rp.DailyMetric

    source = factory.SubFactory(DataSourceFactory)
    agency = factory.SelfAttribute("source.agency")
    client = factory.SelfAttribute("source.client")
    date = factory.LazyFunction(lambda: __import__("datetime").date.today())
    channel = "yandex_direct"


class MetricImportFactory(UnscopedFactory):
    class Meta:
        model = rp.MetricImport

    source = factory.SubFactory(DataSourceFactory)
    agency = factory.SelfAttribute("source.agency")
    original_name = "metrics.csv"
    encoding = "utf-8"
    delimiter = ";"
    headers = factory.LazyFunction(lambda: ["Дата", "Расход"])
    mapping = factory.LazyFunction(lambda: {"0": "date", "1": "cost"})
    sample = factory.LazyFunction(lambda: [{"line": 2, "values": ["2026-01-01", "100"]}])


# --- reports ---
from reporting.report_models import DEFAULT_SECTIONS as REPORT_SECTIONS  # noqa: E402


class ReportTemplateFactory(UnscopedFactory):
    class Meta:
        model = rp.ReportTemplate

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Шаблон {n}")
    sections = factory.LazyFunction(lambda: list(REPORT_SECTIONS))


class ReportFactory(UnscopedFactory):
    class Meta:
        model = rp.Report

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    title = factory.Sequence(lambda n: f"Отчёт {n}")
    date_from = factory.LazyFunction(lambda: __import__("datetime").date(2026, 10, 1))
    date_to = factory.LazyFunction(lambda: __import__("datetime").date(2026, 10, 31))


class ReportRatingFactory(UnscopedFactory):
    class Meta:
        model = rp.ReportRating

    report = factory.SubFactory(ReportFactory)
    agency = factory.SelfAttribute("report.agency")
    contact = factory.SubFactory(ContactFactory, client=factory.SelfAttribute("..report.client"))
    score = 4


# --- fields (custom fields, saved views) ---
class CustomFieldFactory(UnscopedFactory):
    class Meta:
        model = crm.CustomField

    agency = factory.SubFactory(AgencyFactory)
    entity = "client"
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Поле {n}")
    kind = "text"


class SavedViewFactory(UnscopedFactory):
    class Meta:
        model = crm.SavedView

    agency = factory.SubFactory(AgencyFactory)
    owner = factory.LazyAttribute(lambda o: MembershipFactory(agency=o.agency).user)
    list_key = "clients"
    name = factory.Sequence(lambda n: f"Вид {n}")
    query = "status=active"


# --- pipelines ---
def default_stage(agency, code):
    from clients.services.pipelines import stage_for_code

    with scopes_disabled():
        return stage_for_code(agency=agency, code=code)


class PipelineFactory(UnscopedFactory):
    """A pipeline with the standard stages (like `pipeline_create`)."""

    class Meta:
        model = crm.Pipeline
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Воронка {n}")
    kind = "upsell"
    order = factory.Sequence(lambda n: n + 1)

    @factory.post_generation
    def stages(self, create, extracted, **kwargs):
        from clients.services.pipelines import standard_stage_rows

        if create:
            crm.PipelineStage.objects.bulk_create(standard_stage_rows(agency=self.agency, pipeline=self))
