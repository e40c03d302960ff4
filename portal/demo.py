"""Demo data for the client portal's home: the demo client login's company gets a project under way with shared
milestones and tasks, one task waiting for the client's approval and two deliverables to download (and a few
internal items the portal must not show). Safe to run again: a company that has a project is left alone."""
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from clients.models import Contact
from mrm.tenancy.models import Membership
from projects.models import Milestone, Project, ProjectTask, TaskAttachment

# A one-page PDF, small and valid enough for any viewer.
_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def seed_portal(*, agency, members: dict[str, Membership]) -> None:
    member = Membership.objects.filter(agency=agency, pk=members["client"].pk).first()
    if member is None or member.contact_id is None:
        return
    company_id = Contact.objects.filter(agency=agency, pk=member.contact_id).values_list("client_id", flat=True).first()
    if company_id is None or Project.objects.filter(agency=agency, client_id=company_id).exists():
        return
    today, now = timezone.localdate(), timezone.now()
    am, pm = members["am"].user, members["pm"].user
    project = Project.objects.create(
        agency=agency, client_id=company_id, name="Редизайн сайта", status=Project.Status.ACTIVE,
        start_date=today - timedelta(days=30), end_date=today + timedelta(days=45), manager=pm, account_manager=am,
        description="Новый дизайн и вёрстка корпоративного сайта.")

    def milestone(title, days, *, reached=False, visible=True):
        due = today + timedelta(days=days)
        return Milestone.objects.create(agency=agency, project=project, title=title, due_date=due,
                                        baseline_due_date=due, client_visible=visible,
                                        reached_at=now - timedelta(days=-days) if reached else None)

    research = milestone("Аналитика и прототипы", -12, reached=True)
    concept = milestone("Дизайн-концепция", 5)
    launch = milestone("Вёрстка и запуск", 40)
    milestone("Внутренняя приёмка", 35, visible=False)

    def task(title, start, due, status, ms, *, visible=True):
        done = status == ProjectTask.Status.DONE
        return ProjectTask.objects.create(
            agency=agency, project=project, milestone=ms, title=title, assignee=pm, estimate_hours=16,
            start_date=today + timedelta(days=start), due_date=today + timedelta(days=due),
            baseline_start_date=today + timedelta(days=start), baseline_due_date=today + timedelta(days=due),
            status=status, client_visible=visible, completed_at=now + timedelta(days=due) if done else None)

    S = ProjectTask.Status
    interviews = task("Интервью с командой клиента", -30, -22, S.DONE, research)
    prototypes = task("Прототипы ключевых страниц", -22, -13, S.DONE, research)
    task("Оценка трудозатрат на вёрстку", -20, -18, S.DONE, research, visible=False)
    layout = task("Макет главной страницы", -10, 2, S.CLIENT_APPROVAL, concept)
    task("Макеты внутренних страниц", 0, 5, S.IN_PROGRESS, concept)
    task("Вёрстка и перенос контента", 6, 35, S.TODO, launch)
    task("Запуск и передача доступов", 36, 40, S.TODO, launch)

    for on_task, name, shared in ((interviews, "Отчёт по интервью", True), (prototypes, "Прототипы v2", True),
                                  (layout, "Макет главной — черновик", False)):
        attachment = TaskAttachment(agency=agency, task=on_task, name=name, content_type="application/pdf",
                                    size=len(_PDF), client_visible=shared, uploaded_by=pm)
        attachment.file.save("demo.pdf", ContentFile(_PDF), save=False)
        attachment.save()
