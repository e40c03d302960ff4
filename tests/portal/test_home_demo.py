"""seed_demo's portal part (portal/demo.py): the demo client login lands on a home with a project under way,
something to approve and deliverables to download; hidden items stay hidden; running it again adds nothing."""
import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from mrm.tenancy.models import Membership, Role
from projects.models import Project, TaskAttachment
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_the_client_login_a_living_portal():
    call_command("seed_demo", quiet=True)
    with scopes_disabled():
        member = Membership.objects.filter(agency__slug="sever-digital", role=Role.CLIENT).select_related(
            "contact").first()
        project = Project.objects.get(agency=member.agency, client_id=member.contact.client_id)
        shared = TaskAttachment.objects.filter(task__project=project, client_visible=True).first()
        counts = (Project.objects.count(), TaskAttachment.objects.count())
    http = login(member)
    home = http.get("/portal/").content.decode()
    assert f'id="portal-project-{project.pk}"' in home and "Макет главной страницы" in home
    page = http.get(reverse("portal:project", args=[project.pk])).content.decode()
    assert "Отчёт по интервью" in page and "Прототипы v2" in page
    assert "Внутренняя приёмка" not in page and "Оценка трудозатрат" not in page and "черновик" not in page
    download = http.get(reverse("portal:project_file", args=[project.pk, shared.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    call_command("seed_demo", quiet=True)
    with scopes_disabled():
        assert (Project.objects.count(), TaskAttachment.objects.count()) == counts
