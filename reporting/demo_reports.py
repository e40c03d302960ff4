"""Demo client reports for `seed_demo`: the agency's default template and a published report of last month for
the demo client login's company (built from the seeded metrics and projects, like a real build, with the
commentary drafted by rules), so the portal shows a real report. Idempotent: one report per company and period."""
from django.db import transaction
from django.utils import timezone

from clients.models import Contact
from mrm.tenancy.models import Membership

from .report_models import Report
from .services import reports as services


@transaction.atomic
def seed_reports(*, agency, members: dict[str, Membership]) -> None:
    services.template_default(agency=agency)
    member = Membership.objects.filter(agency=agency, pk=members["client"].pk).first()
    if member is None or member.contact_id is None:
        return
    contact = Contact.objects.filter(agency=agency, pk=member.contact_id).select_related("client").first()
    if contact is None:
        return
    client = contact.client
    date_from, date_to = services.period_preset("last_month")
    if Report.objects.filter(agency=agency, client=client, date_from=date_from, date_to=date_to).exists():
        return
    am = members["am"]
    report = services.report_create(agency=agency, actor=am.user, client=client, date_from=date_from,
                                    date_to=date_to)
    snapshot = services.report_snapshot(agency=agency, membership=am, report=report)
    commentary, next_steps = services.commentary_rules(snapshot=snapshot)
    now = timezone.now()
    Report.objects.filter(agency=agency, pk=report.pk).update(
        snapshot=snapshot, built_at=now, status=Report.Status.PUBLISHED, published_at=now, published_by=am.user,
        notified_at=now, commentary=commentary, next_steps=next_steps, commentary_drafter=Report.Drafter.RULES)
