"""Builders shared by the portal home tests: the client login's company and a project of it."""
from django.utils import timezone

from projects.models import ProjectTask
from tests import factories as f


def company_of(world):
    return world.client_contact.contact.client


def project_for(world, **kwargs):
    return f.ProjectFactory(agency=world.agency, client=company_of(world), **kwargs)


def done_task(project, **kwargs):
    kwargs.setdefault("completed_at", timezone.now())
    return f.ProjectTaskFactory(project=project, status=ProjectTask.Status.DONE, **kwargs)
