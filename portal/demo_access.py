"""Demo portal access for `seed_demo`: each demo agency's client login (client@<domain>) is a contact of the
agency's first demo company (clients/demo.py links it) with portal access, and that company's portal admin."""
from mrm.tenancy.models import Agency, Membership, Role


def seed_portal_access(*, agency: Agency, members: dict[str, Membership]) -> None:
    client_member = members["client"]
    Membership.objects.filter(agency=agency, pk=client_member.pk, role=Role.CLIENT,
                              contact__isnull=False).update(is_active=True, is_portal_admin=True)
