"""Re-offer the acceptances recorded before the projects app had a hand-off receiver.

Until `projects.services.handoff.project_create_from_proposal` was registered, `proposals.handoff` marked
each "proposal.accepted" outbox row processed with nobody to deliver to (`delivered_to` empty). Clearing
`processed_at` (and the retry clock) of exactly those rows lets the beat sweep (`handoff_outbox_sweep_task`,
every 5 minutes) offer them to the receiver, which makes one project per acceptance (idempotent on
proposal + version hash). Rows some receiver took are left alone. Reversing does nothing: projects made
meanwhile are real data.
"""
from django.db import migrations


def reoffer(apps, schema_editor):
    OutboxEvent = apps.get_model("jobs", "OutboxEvent")
    rows = OutboxEvent.objects.filter(kind="proposal.accepted", processed_at__isnull=False)
    ids = [pk for pk, delivered in rows.values_list("pk", "delivered_to") if not delivered]
    for start in range(0, len(ids), 500):
        OutboxEvent.objects.filter(pk__in=ids[start:start + 500]).update(processed_at=None, next_attempt_at=None,
                                                                         last_error="")


class Migration(migrations.Migration):
    dependencies = [
        ('projects', '0004_change_requests_and_out_of_scope_tasks'),
        ("jobs", "0005_outbox_event"),
    ]

    operations = [migrations.RunPython(reoffer, migrations.RunPython.noop)]
