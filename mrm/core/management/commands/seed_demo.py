from django.core.management.base import BaseCommand
from django_scopes import scope

from mrm.core.demo import AGENCIES, DEMO_PASSWORD, demo_email, seed_agency


class Command(BaseCommand):
    help = "Create two demo agencies with people and a realistic portfolio (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, quiet: bool = False, **options):
        from clients.demo import seed_clients
        from portal.demo import seed_portal

        for demo in AGENCIES:
            agency, members = seed_agency(demo)
            with scope(agency=agency):
                seed_clients(agency=agency, members=members)
                from clients.demo_fields import seed_custom_fields  # custom fields on clients (h-fields)

                seed_custom_fields(agency=agency, members=members)
                from proposals.demo import seed_proposals

                seed_proposals(agency=agency, members=members)
                from projects.demo import seed_projects  # projects (shell): delivery demo

                seed_projects(agency=agency, members=members)
                seed_portal(agency=agency, members=members)  # the client portal's home (portal/demo.py)
                from portal.demo_proposals import seed_portal_proposals  # portal: proposals sent

                seed_portal_proposals(agency=agency, members=members)
                from comms.demo import seed_requests  # client requests (h-requests)

                seed_requests(agency=agency, members=members)
                from portal.demo_nps import seed_nps  # portal: NPS surveys and answers

                seed_nps(agency=agency, members=members)
                from portal.demo_access import seed_portal_access  # the demo client logins' portal access

                seed_portal_access(agency=agency, members=members)
                from reporting.demo import seed_metrics  # reporting: 90 days of metrics of a few clients

                seed_metrics(agency=agency, members=members)
                from reporting.demo_connectors import seed_connectors  # a Direct source with a recorded sync

                seed_connectors(agency=agency, members=members)
                from reporting.demo_reports import seed_reports  # reports: a published report (h-reports)

                seed_reports(agency=agency, members=members)
                from dashboards.demo import seed_dashboards  # KPI dashboard: a year of history (h-dashboards)

                seed_dashboards(agency=agency, members=members)
                from dashboards.demo_health import seed_health  # client health: a few at risk, rows built

                seed_health(agency=agency, members=members)
        if quiet:
            return
        self.stdout.write(self.style.SUCCESS(f"Demo data is ready. Logins (password for all: {DEMO_PASSWORD}):"))
        for demo in AGENCIES:
            self.stdout.write(f"  {demo.name}:")
            for key, full_name, role, _position in demo.people:
                self.stdout.write(f"    {role:<10} {demo_email(demo, key):<24} {full_name}")
