"""Staff share a task's file with the client (a deliverable): one checkbox on upload, a toggle on the task page;
the uploader or a project manager may, another agency's file answers 404, a bad value 400."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from mrm.tenancy.models import AuditLog
from projects.models import TaskAttachment
from tests import factories as f
from tests.conftest import login

from .helpers import project_for

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"projects:{name}", args=args)


@pytest.fixture
def task(alice_world):
    project = project_for(alice_world, manager=alice_world.specialist.user)
    return f.ProjectTaskFactory(project=project, client_visible=True)


def test_upload_with_the_checkbox_shares_the_file(alice_world, task):
    http = login(alice_world.am)
    upload = SimpleUploadedFile("Отчёт.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    response = http.post(_url("task_attachment_upload", task.project_id, task.pk),
                         {"file": upload, "client_visible": "on"})
    assert response.status_code == 302
    plain = SimpleUploadedFile("Черновик.pdf", b"%PDF-1.4 draft", content_type="application/pdf")
    http.post(_url("task_attachment_upload", task.project_id, task.pk), {"file": plain})
    with scopes_disabled():
        flags = dict(TaskAttachment.objects.filter(task=task).values_list("name", "client_visible"))
    assert flags == {"Отчёт": True, "Черновик": False}
    # The client downloads the shared one from the portal.
    with scopes_disabled():
        shared = TaskAttachment.objects.get(task=task, name="Отчёт")
    portal = login(alice_world.client_contact)
    assert portal.get(reverse("portal:project_file", args=[task.project_id, shared.pk])).status_code == 200


def test_task_page_toggles_sharing(alice_world, task):
    attachment = f.TaskAttachmentFactory(task=task, uploaded_by=alice_world.am.user)
    http = login(alice_world.am)
    page = http.get(_url("task_detail", task.project_id, task.pk)).content.decode()
    assert f'id="file-share-{attachment.pk}"' in page and 'name="client_visible"' in page
    toggle = _url("task_attachment_visibility", task.project_id, task.pk, attachment.pk)
    assert http.post(toggle, {"client_visible": "1"}).status_code == 302
    with scopes_disabled():
        attachment.refresh_from_db()
        assert attachment.client_visible
        assert AuditLog.objects.filter(agency=alice_world.agency, action="task_attachment.shared").count() == 1
    assert f'id="file-shared-{attachment.pk}"' in http.get(_url("task_detail", task.project_id, task.pk)).content.decode()
    http.post(toggle, {"client_visible": "1"})  # the same value again: nothing new written
    with scopes_disabled():
        assert AuditLog.objects.filter(agency=alice_world.agency, action="task_attachment.shared").count() == 1
    assert http.post(toggle, {"client_visible": "0"}).status_code == 302
    with scopes_disabled():
        attachment.refresh_from_db()
    assert not attachment.client_visible


def test_toggle_refuses_bad_values_and_other_people(alice_world, bob_world, task):
    attachment = f.TaskAttachmentFactory(task=task, uploaded_by=alice_world.am.user)
    toggle = _url("task_attachment_visibility", task.project_id, task.pk, attachment.pk)
    assert login(alice_world.am).post(toggle, {"client_visible": "yes"}).status_code == 400
    # A team member who neither uploaded it nor manages the project.
    member = f.MembershipFactory(agency=alice_world.agency, role="specialist")
    f.ProjectMemberFactory(project=task.project, user=member.user)
    assert login(member).post(toggle, {"client_visible": "1"}).status_code == 403
    # The project's manager may; a specialist not on the project and another agency get 404.
    assert login(alice_world.specialist).post(toggle, {"client_visible": "1"}).status_code == 302
    outsider = f.MembershipFactory(agency=alice_world.agency, role="specialist")
    assert login(outsider).post(toggle, {"client_visible": "0"}).status_code == 404
    assert login(bob_world.director).post(toggle, {"client_visible": "0"}).status_code == 404
    # The client login never reaches a staff page.
    assert login(alice_world.client_contact).post(toggle, {"client_visible": "0"}).status_code == 302
    with scopes_disabled():
        attachment.refresh_from_db()
    assert attachment.client_visible
