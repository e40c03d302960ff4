import django.db.models.deletion
from django.db import migrations, models


def memberships_to_contacts(apps, schema_editor):
    """Each client membership points at the contact of its company with the member's e-mail; a company
    without one gets that contact (primary if it had none). A membership whose company is gone loses
    access (deactivated, no contact)."""
    Membership = apps.get_model("tenancy", "Membership")
    Client = apps.get_model("clients", "Client")
    Contact = apps.get_model("clients", "Contact")
    for membership in Membership._base_manager.filter(client_id__isnull=False).select_related("user"):
        client = Client._base_manager.filter(agency_id=membership.agency_id, pk=membership.client_id).first()
        if client is None:
            membership.is_active = False
            membership.save(update_fields=["is_active"])
            continue
        email = membership.user.email.strip()
        contact = (Contact._base_manager.filter(agency_id=client.agency_id, client_id=client.pk, email__iexact=email)
                   .order_by("created_at").first())
        if contact is None:
            has_primary = Contact._base_manager.filter(client_id=client.pk, is_primary=True).exists()
            contact = Contact._base_manager.create(
                agency_id=client.agency_id, client_id=client.pk, email=email.lower(), is_primary=not has_primary,
                full_name=(membership.user.full_name or email)[:150])
        membership.contact_id = contact.pk
        membership.save(update_fields=["contact"])


def contacts_to_memberships(apps, schema_editor):
    Membership = apps.get_model("tenancy", "Membership")
    for membership in Membership._base_manager.filter(contact__isnull=False).select_related("contact"):
        membership.client_id = membership.contact.client_id
        membership.save(update_fields=["client_id"])


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0001_initial'),
        ('tenancy', '0003_kpi_target_rows'),
    ]

    operations = [
        migrations.AddField(
            model_name='membership',
            name='contact',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name='portal_memberships', to='clients.contact',
                                    verbose_name='client contact'),
        ),
        migrations.RunPython(memberships_to_contacts, contacts_to_memberships),
        migrations.RemoveField(
            model_name='membership',
            name='client_id',
        ),
    ]
