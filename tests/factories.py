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
