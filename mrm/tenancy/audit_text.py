"""How an audit log row reads to a person: a sentence per action code, field names and values in words.

The services write machine codes (`client.updated`, `{"status": ["lead", "onboarding"]}`); the audit screen
and its CSV export show them through this module, in the user's language:
«Алексей Волков перевёл клиента «Вело-Мир» из «Лид» в «Онбординг»». Every code the code base writes must
have an entry in ACTIONS (tests/tenancy/test_audit_text.py checks it); an unknown code still renders,
from the code itself.
"""
import re
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from mrm.core import numbers

EMPTY = "—"


@dataclass(frozen=True)
class Action:
    label: Promise  # short, for the filter dropdown: «Клиент изменён»
    sentence: Promise  # %(actor)s and %(target)s: «%(actor)s изменил клиента «%(target)s»»
    # Used instead of `sentence` when the row changes the "status" (or "stage") field: %(old)s and %(new)s too.
    status_sentence: Promise | None = None


A = Action
ACTIONS: dict[str, Action] = {
    # Clients, contacts, deals
    "client.created": A(_l("Client created"), _l("%(actor)s created client “%(target)s”")),
    "client.updated": A(_l("Client changed"), _l("%(actor)s changed client “%(target)s”"),
                        _l("%(actor)s moved client “%(target)s” from “%(old)s” to “%(new)s”")),
    "contact.created": A(_l("Contact added"), _l("%(actor)s added contact “%(target)s”")),
    "contact.updated": A(_l("Contact changed"), _l("%(actor)s changed contact “%(target)s”")),
    "contact.deleted": A(_l("Contact deleted"), _l("%(actor)s deleted contact “%(target)s”")),
    "deal.created": A(_l("Deal created"), _l("%(actor)s created deal “%(target)s”")),
    "deal.updated": A(_l("Deal changed"), _l("%(actor)s changed deal “%(target)s”")),
    "deal.moved": A(_l("Deal moved"), _l("%(actor)s moved deal “%(target)s” to another stage"),
                    _l("%(actor)s moved deal “%(target)s” from “%(old)s” to “%(new)s”")),
    "deal.reordered": A(_l("Deal reordered"), _l("%(actor)s reordered deal “%(target)s” on the board")),
    # pipelines
    "pipeline.created": A(_l("Pipeline added"), _l("%(actor)s added pipeline “%(target)s”")),
    "pipeline.updated": A(_l("Pipeline changed"), _l("%(actor)s changed pipeline “%(target)s”")),
    "pipeline_stage.created": A(_l("Stage added"), _l("%(actor)s added stage “%(target)s”")),
    "pipeline_stage.updated": A(_l("Stage changed"), _l("%(actor)s changed stage “%(target)s”")),
    "pipeline_stage.deleted": A(_l("Stage deleted"), _l("%(actor)s deleted stage “%(target)s”")),
    "interaction.logged": A(_l("Interaction logged"), _l("%(actor)s logged interaction “%(target)s”")),
    "interaction.updated": A(_l("Interaction changed"), _l("%(actor)s changed interaction “%(target)s”")),
    "interaction.deleted": A(_l("Interaction deleted"), _l("%(actor)s deleted interaction “%(target)s”")),
    "task.created": A(_l("Task created"), _l("%(actor)s created task “%(target)s”")),
    "task.updated": A(_l("Task changed"), _l("%(actor)s changed task “%(target)s”")),
    "task.completed": A(_l("Task completed"), _l("%(actor)s completed task “%(target)s”")),
    "task.reopened": A(_l("Task reopened"), _l("%(actor)s reopened task “%(target)s”")),
    "client_file.uploaded": A(_l("File uploaded"), _l("%(actor)s uploaded file “%(target)s”")),
    "client_file.deleted": A(_l("File deleted"), _l("%(actor)s deleted file “%(target)s”")),
    "client_import.uploaded": A(_l("Import file uploaded"), _l("%(actor)s uploaded import file “%(target)s”")),
    "client_import.started": A(_l("Import started"), _l("%(actor)s started the import of “%(target)s”")),
    "client_import.completed": A(_l("Import completed"), _l("Import of “%(target)s” by %(actor)s completed")),
    "calendar_feed.created": A(_l("Calendar feed created"), _l("%(actor)s created a calendar feed link")),
    "calendar_feed.revoked": A(_l("Calendar feed revoked"), _l("%(actor)s revoked the calendar feed link")),
    # Account management
    "account_plan.created": A(_l("Account plan created"), _l("%(actor)s created the account plan of “%(target)s”")),
    "account_plan.updated": A(_l("Account plan changed"), _l("%(actor)s changed the account plan of “%(target)s”")),
    "account_objective.created": A(_l("Objective added"), _l("%(actor)s added objective “%(target)s”")),
    "account_objective.updated": A(_l("Objective changed"), _l("%(actor)s changed objective “%(target)s”")),
    "account_objective.deleted": A(_l("Objective deleted"), _l("%(actor)s deleted objective “%(target)s”")),
    # Onboarding, agreements, billing
    "onboarding.started": A(_l("Onboarding started"), _l("%(actor)s started the onboarding of “%(target)s”")),
    "onboarding.step_done": A(_l("Onboarding step done"), _l("%(actor)s completed onboarding step “%(target)s”")),
    "onboarding.step_reopened": A(_l("Onboarding step reopened"),
                                  _l("%(actor)s reopened onboarding step “%(target)s”")),
    "onboarding_template.updated": A(_l("Onboarding checklist changed"),
                                     _l("%(actor)s changed the onboarding checklist")),
    "agreement.created": A(_l("Agreement added"), _l("%(actor)s added the agreement of “%(target)s”")),
    "agreement.updated": A(_l("Agreement changed"), _l("%(actor)s changed the agreement of “%(target)s”")),
    "agency.legal_details_updated": A(_l("Legal details changed"), _l("%(actor)s changed the agency's legal details")),
    "invoice.created": A(_l("Invoice created"), _l("%(actor)s created invoice “%(target)s”")),
    "invoice.updated": A(_l("Invoice changed"), _l("%(actor)s changed invoice “%(target)s”"),
                         _l("%(actor)s moved invoice “%(target)s” from “%(old)s” to “%(new)s”")),
    "invoice.sent": A(_l("Invoice sent"), _l("%(actor)s sent invoice “%(target)s”")),
    "invoice.overdue": A(_l("Invoice overdue"), _l("Invoice “%(target)s” became overdue")),
    # Briefs and proposals
    "brief_template.created": A(_l("Brief form created"), _l("%(actor)s created brief form “%(target)s”")),
    "brief_template.updated": A(_l("Brief form changed"), _l("%(actor)s changed brief form “%(target)s”")),
    "brief.submitted": A(_l("Brief submitted"), _l("Brief “%(target)s” was submitted")),
    "brief.status_changed": A(_l("Brief status changed"), _l("%(actor)s changed the status of brief “%(target)s”"),
                              _l("%(actor)s moved brief “%(target)s” from “%(old)s” to “%(new)s”")),
    "proposal.draft_started": A(_l("Draft requested"), _l("%(actor)s asked for a proposal draft from brief “%(target)s”")),
    "proposal.drafted": A(_l("Proposal drafted"), _l("Proposal “%(target)s” was drafted for %(actor)s")),
    "proposal.created": A(_l("Proposal created"), _l("%(actor)s created proposal “%(target)s”")),
    "proposal.updated": A(_l("Proposal changed"), _l("%(actor)s changed proposal “%(target)s”")),
    "proposal.terms_updated": A(_l("Proposal terms changed"), _l("%(actor)s changed the terms of proposal “%(target)s”")),
    "proposal.discount_changed": A(_l("Discount changed"), _l("%(actor)s changed the discount in proposal “%(target)s”")),
    "proposal.section_added": A(_l("Section added"), _l("%(actor)s added a section to proposal “%(target)s”")),
    "proposal.section_updated": A(_l("Section changed"), _l("%(actor)s changed a section of proposal “%(target)s”")),
    "proposal.section_deleted": A(_l("Section deleted"), _l("%(actor)s deleted a section of proposal “%(target)s”")),
    "proposal.line_added": A(_l("Line added"), _l("%(actor)s added a line to proposal “%(target)s”")),
    "proposal.line_updated": A(_l("Line changed"), _l("%(actor)s changed a line of proposal “%(target)s”")),
    "proposal.line_included": A(_l("Line included"), _l("%(actor)s included a line in proposal “%(target)s”")),
    "proposal.line_deleted": A(_l("Line deleted"), _l("%(actor)s deleted a line of proposal “%(target)s”")),
    "proposal.team_added": A(_l("Team member added"), _l("%(actor)s added a team member to proposal “%(target)s”")),
    "proposal.team_removed": A(_l("Team member removed"),
                               _l("%(actor)s removed a team member from proposal “%(target)s”")),
    "proposal.cases_changed": A(_l("Cases changed"), _l("%(actor)s changed the cases of proposal “%(target)s”")),
    "proposal.version_frozen": A(_l("Version fixed"), _l("%(actor)s fixed a version of proposal “%(target)s”")),
    "proposal.sent": A(_l("Proposal sent"), _l("%(actor)s sent proposal “%(target)s” to the client")),
    "proposal.link_revoked": A(_l("Link revoked"), _l("%(actor)s revoked a client link to proposal “%(target)s”")),
    "proposal.client_replied": A(_l("Client replied"), _l("%(actor)s marked that the client replied to “%(target)s”")),
    "proposal.accepted": A(_l("Proposal accepted"), _l("The client accepted proposal “%(target)s”")),
    "proposal.declined": A(_l("Proposal declined"), _l("The client declined proposal “%(target)s”")),
    "proposal.renewal_requested": A(_l("New link requested"),
                                    _l("The client asked for a new link to proposal “%(target)s”")),
    "proposal.followups_scheduled": A(_l("Follow-ups scheduled"),
                                      _l("%(actor)s scheduled follow-ups for proposal “%(target)s”")),
    "proposal.followup_moved": A(_l("Follow-up moved"), _l("A follow-up for proposal “%(target)s” was moved")),
    "proposal.followups_cancelled": A(_l("Follow-ups cancelled"),
                                      _l("%(actor)s cancelled the follow-ups for proposal “%(target)s”")),
    # Catalogue and proposal settings
    "ratecard.role_created": A(_l("Rate card role added"), _l("%(actor)s added role “%(target)s” to the rate card")),
    "ratecard.role_updated": A(_l("Rate card role changed"), _l("%(actor)s changed rate card role “%(target)s”")),
    "catalog.service_created": A(_l("Service added"), _l("%(actor)s added service “%(target)s” to the catalogue")),
    "catalog.service_updated": A(_l("Service changed"), _l("%(actor)s changed service “%(target)s”")),
    "case.created": A(_l("Case added"), _l("%(actor)s added case “%(target)s”")),
    "case.updated": A(_l("Case changed"), _l("%(actor)s changed case “%(target)s”")),
    "case.deleted": A(_l("Case deleted"), _l("%(actor)s deleted case “%(target)s”")),
    "proposals.settings_updated": A(_l("Proposal settings changed"), _l("%(actor)s changed the proposal settings")),
    # Change requests (projects)
    "change_request.created": A(_l("Change request created"), _l("%(actor)s created change request “%(target)s”")),
    "change_request.updated": A(_l("Change request changed"), _l("%(actor)s changed change request “%(target)s”")),
    "change_request.line_added": A(_l("Change request line added"),
                                   _l("%(actor)s added a line to change request “%(target)s”")),
    "change_request.line_updated": A(_l("Change request line changed"),
                                     _l("%(actor)s changed a line of change request “%(target)s”")),
    "change_request.line_deleted": A(_l("Change request line deleted"),
                                     _l("%(actor)s deleted a line of change request “%(target)s”")),
    "change_request.prefilled": A(_l("Change request made from extra work"),
                                  _l("%(actor)s made change request “%(target)s” from unpriced extra work")),
    "change_request.deleted": A(_l("Change request deleted"), _l("%(actor)s deleted draft change request “%(target)s”")),
    "change_request.sent": A(_l("Change request sent"), _l("%(actor)s sent change request “%(target)s” to the client")),
    "change_request.withdrawn": A(_l("Change request withdrawn"), _l("%(actor)s withdrew change request “%(target)s”")),
    "change_request.approved": A(_l("Change request approved"), _l("Change request “%(target)s” approved (%(actor)s)")),
    "change_request.declined": A(_l("Change request declined"), _l("Change request “%(target)s” declined (%(actor)s)")),
    # NPS surveys (portal, h-nps)
    "nps_survey.sent": A(_l("NPS survey sent"), _l("%(actor)s sent NPS survey “%(target)s”")),
    "nps_survey.answered": A(_l("NPS survey answered"), _l("NPS survey “%(target)s” answered (%(actor)s)")),
    "nps_settings.updated": A(_l("NPS rules changed"), _l("%(actor)s changed the agency's NPS rules")),
    "nps_plan.updated": A(_l("NPS schedule changed"), _l("%(actor)s changed the NPS survey schedule of “%(target)s”")),
    "project.budget_changed": A(_l("Project budget changed"),
                                _l("%(actor)s: an approved change request added to the budget of “%(target)s”")),
    "project_task.scope_changed": A(_l("Task scope changed"),
                                    _l("%(actor)s changed whether task “%(target)s” is extra work")),
    # Projects: the shell (create, edit, status, team)
    "project.created": A(_l("Project created"), _l("%(actor)s created project “%(target)s”")),
    "project.created_from_proposal": A(_l("Project created from a proposal"),
                                       _l("Project “%(target)s” was created from the accepted proposal")),
    "project.updated": A(_l("Project changed"), _l("%(actor)s changed project “%(target)s”"),
                         _l("%(actor)s moved project “%(target)s” from “%(old)s” to “%(new)s”")),
    "project.deleted": A(_l("Project deleted"), _l("%(actor)s deleted project “%(target)s”")),
    "project_member.added": A(_l("Project member added"), _l("%(actor)s added “%(target)s” to a project team")),
    "project_member.updated": A(_l("Project member changed"),
                                _l("%(actor)s changed the role of “%(target)s” in a project team")),
    "project_member.removed": A(_l("Project member removed"),
                                _l("%(actor)s removed “%(target)s” from a project team")),
    # Agency, team, settings
    "agency.created": A(_l("Agency created"), _l("%(actor)s created agency “%(target)s”")),
    "agency.updated": A(_l("Agency settings changed"), _l("%(actor)s changed the agency settings")),
    "holiday.added": A(_l("Holiday added"), _l("%(actor)s added holiday “%(target)s”")),
    "holiday.removed": A(_l("Holiday removed"), _l("%(actor)s removed holiday “%(target)s”")),
    "holiday.imported": A(_l("Holidays imported"), _l("%(actor)s imported the public holidays")),
    "invitation.created": A(_l("Invitation sent"), _l("%(actor)s invited %(target)s")),
    "invitation.revoked": A(_l("Invitation withdrawn"), _l("%(actor)s withdrew the invitation of %(target)s")),
    "membership.joined": A(_l("Joined the team"), _l("%(actor)s joined the team")),
    "membership.updated": A(_l("Team member changed"), _l("%(actor)s changed team member %(target)s")),
    # Client portal access (portal/services/access.py)
    "portal.access_revoked": A(_l("Portal access revoked"), _l("%(actor)s revoked the portal access of %(target)s")),
    "portal.admin_changed": A(_l("Portal admin changed"),
                              _l("%(actor)s changed whether %(target)s may invite colleagues to the portal")),
    "kpi_targets.updated": A(_l("KPI targets changed"), _l("%(actor)s changed the KPI targets")),
    "kpi_target.created": A(_l("KPI target added"), _l("%(actor)s added a KPI target")),
    "kpi_target.removed": A(_l("KPI target removed"), _l("%(actor)s removed a KPI target")),
    # Time tracking (projects)
    "time_entry.updated": A(_l("Time entry changed"), _l("%(actor)s changed the time entry “%(target)s”")),
    "time_entry.deleted": A(_l("Time entry deleted"), _l("%(actor)s deleted the time entry “%(target)s”")),
    "time_off.created": A(_l("Time off added"), _l("%(actor)s added time off “%(target)s”")),
    "time_off.updated": A(_l("Time off changed"), _l("%(actor)s changed time off “%(target)s”")),
    "time_off.deleted": A(_l("Time off removed"), _l("%(actor)s removed time off “%(target)s”")),
    # The user's own account
    "profile.updated": A(_l("Profile changed"), _l("%(actor)s changed their profile")),
    "api_token.created": A(_l("API token created"), _l("%(actor)s created API token “%(target)s”")),
    "api_token.revoked": A(_l("API token revoked"), _l("%(actor)s revoked API token “%(target)s”")),
    "two_factor.enabled": A(_l("Two-factor sign-in on"), _l("%(actor)s turned on two-factor sign-in")),
    "two_factor.disabled": A(_l("Two-factor sign-in off"), _l("%(actor)s turned off two-factor sign-in")),
    "two_factor.backup_codes_generated": A(_l("Backup codes issued"), _l("%(actor)s generated new backup codes")),
    # Projects: timeline
    "project.baseline_set": A(_l("Baseline set"),
                              _l("%(actor)s set the baseline of project “%(target)s” to its current dates")),
    # Projects: alerts
    "alert.acknowledged": A(_l("Alert acknowledged"), _l("%(actor)s acknowledged alert “%(target)s”")),
    # Projects: work (milestones, tasks, dependencies, comments, task files)
    "milestone.created": A(_l("Milestone added"), _l("%(actor)s added milestone “%(target)s”")),
    "milestone.updated": A(_l("Milestone changed"), _l("%(actor)s changed milestone “%(target)s”")),
    "milestone.deleted": A(_l("Milestone deleted"), _l("%(actor)s deleted milestone “%(target)s”")),
    "milestone.reached": A(_l("Milestone reached"), _l("%(actor)s marked milestone “%(target)s” reached")),
    "milestone.reopened": A(_l("Milestone reopened"), _l("%(actor)s reopened milestone “%(target)s”")),
    "project_task.created": A(_l("Project task added"), _l("%(actor)s added project task “%(target)s”")),
    "project_task.updated": A(_l("Project task changed"), _l("%(actor)s changed project task “%(target)s”")),
    "project_task.status_changed": A(_l("Project task moved"), _l("%(actor)s moved project task “%(target)s”"),
                                     _l("%(actor)s moved project task “%(target)s” from “%(old)s” to “%(new)s”")),
    "project_task.deleted": A(_l("Project task deleted"), _l("%(actor)s deleted project task “%(target)s”")),
    "task_dependency.added": A(_l("Dependency added"), _l("%(actor)s made task “%(target)s” wait for another")),
    "task_dependency.removed": A(_l("Dependency removed"), _l("%(actor)s removed a dependency of task “%(target)s”")),
    "task_comment.added": A(_l("Comment added"), _l("%(actor)s commented on task “%(target)s”")),
    "task_comment.deleted": A(_l("Comment deleted"), _l("%(actor)s deleted a comment on task “%(target)s”")),
    "task_attachment.uploaded": A(_l("Task file uploaded"), _l("%(actor)s attached a file to task “%(target)s”")),
    "task_attachment.deleted": A(_l("Task file deleted"), _l("%(actor)s deleted a file of task “%(target)s”")),
    "task_attachment.shared": A(_l("Task file shared with the client"),
                                _l("%(actor)s let the client download a file of task “%(target)s”")),
    "task_attachment.unshared": A(_l("Task file no longer shared with the client"),
                                  _l("%(actor)s stopped sharing a file of task “%(target)s” with the client")),
    # Client requests (comms, h-requests)
    "client_request.opened": A(_l("Client request opened"), _l("%(actor)s opened request “%(target)s”")),
    "client_request.answered": A(_l("Client request answered"), _l("%(actor)s answered request “%(target)s”")),
    "client_request.closed": A(_l("Client request closed"), _l("%(actor)s closed request “%(target)s”")),
    "client_request.reopened": A(_l("Client request reopened"), _l("%(actor)s opened request “%(target)s” again")),
    # Reporting (reporting/): data sources and metric imports
    "reporting.source_created": A(_l("Data source added"), _l("%(actor)s added data source “%(target)s”")),
    "reporting.source_updated": A(_l("Data source changed"), _l("%(actor)s changed data source “%(target)s”"),
                                  _l("%(actor)s moved data source “%(target)s” from “%(old)s” to “%(new)s”")),
    "reporting.source_deleted": A(_l("Data source deleted"), _l("%(actor)s deleted data source “%(target)s” with its data")),
    "reporting.source_connected": A(_l("Data source connected"), _l("%(actor)s changed the connection of data source “%(target)s”")),
    "reporting.sync_started": A(_l("Data source sync started"), _l("%(actor)s started a sync of data source “%(target)s”")),
    "reporting.import_uploaded": A(_l("Metrics file uploaded"), _l("%(actor)s uploaded metrics file “%(target)s”")),
    "reporting.import_started": A(_l("Metrics import started"), _l("%(actor)s started the import of metrics file “%(target)s”")),
    "reporting.import_completed": A(_l("Metrics import completed"), _l("Import of metrics file “%(target)s” by %(actor)s completed")),
    # Custom fields (h-fields), optional КП items (h-estimates), reports (h-reports)
    "custom_field.created": A(_l("Custom field added"), _l("%(actor)s added the custom field “%(target)s”")),
    "custom_field.updated": A(_l("Custom field changed"), _l("%(actor)s changed the custom field “%(target)s”")),
    "custom_field.deleted": A(_l("Custom field deleted"), _l("%(actor)s deleted the custom field “%(target)s”")),
    "proposal.line_offered": A(_l("Option offered to the client"),
                               _l("%(actor)s offered an optional item to the client in “%(target)s”")),
    "proposal.line_withheld": A(_l("Option withdrawn from the client"),
                                _l("%(actor)s withdrew an optional item from the client in “%(target)s”")),
    "report_template.created": A(_l("Report template added"), _l("%(actor)s added the report template “%(target)s”")),
    "report_template.changed": A(_l("Report template changed"),
                                 _l("%(actor)s changed the report template “%(target)s”")),
    "report.created": A(_l("Report created"), _l("%(actor)s created the report “%(target)s”")),
    "report.changed": A(_l("Report changed"), _l("%(actor)s changed the report “%(target)s”")),
    "report.build_started": A(_l("Report build started"), _l("%(actor)s started building the report “%(target)s”")),
    "report.published": A(_l("Report published"), _l("%(actor)s published the report “%(target)s” to the client")),
    "report_schedule.saved": A(_l("Report schedule saved"),
                               _l("%(actor)s saved the report schedule of “%(target)s”")),
}
del A

# Change keys that are not fields of the target model (the services add them to explain an action).
EXTRA_FIELDS: dict[str, Promise] = {
    "by": _l("Requested by"), "cases": _l("Cases"), "client_created": _l("New client created"),
    "count": _l("Count"), "created": _l("Rows created"), "days": _l("Days after sending"), "drafted_by": _l("Drafted by"),
    "due_at": _l("Due"), "entity": _l("What is imported"), "flags": _l("Points to check"), "hash": _l("Checksum"),
    "line": _l("Line"), "mode": _l("Mode"), "reason": _l("Reason"), "recipient": _l("Recipient"),
    "section": _l("Section"), "size": _l("Size, bytes"), "skipped": _l("Rows skipped"), "source": _l("Source"),
    "started_on": _l("Start date"), "steps": _l("Steps"), "team": _l("Team"), "to": _l("Sent to"),
    "unchanged": _l("Rows unchanged"), "updated": _l("Rows updated"), "version": _l("Version"), "year": _l("Year"),
}

# Projects: work (h-work): the dependency and file keys of task audit rows.
EXTRA_FIELDS.update({"predecessor": _l("Waits for"), "file": _l("File")})
EXTRA_FIELDS.update({"logins": _l("Portal logins"), "invitations_withdrawn": _l("Invitations withdrawn"),
                     "portal_admin": _l("Portal admin")})

STATUS_FIELDS = ("status", "stage")


@dataclass(frozen=True)
class Change:
    field: str  # the field's name in the user's language
    old: str
    new: str


def action_label(code: str) -> str:
    action = ACTIONS.get(code)
    return str(action.label) if action else code


def action_choices(codes) -> list[tuple[str, str]]:
    """(code, short label) for the filter dropdown, in the order of the labels."""
    return sorted(((code, action_label(code)) for code in codes), key=lambda pair: pair[1].casefold())


def _model_field(model, name: str):
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def field_label(model, name: str) -> str:
    field = _model_field(model, name)
    if field is not None and hasattr(field, "verbose_name"):
        return capfirst(str(field.verbose_name))
    if name in EXTRA_FIELDS:
        return str(EXTRA_FIELDS[name])
    return capfirst(name.replace("_", " "))


# How `audit()` stores dates, datetimes and decimals (isoformat / str); matched whole, nothing around them.
ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")
DECIMAL_RE = re.compile(r"-?\d+\.\d+")


def _date_text(value: str) -> str | None:
    try:
        day = parse_date(value)
    except ValueError:
        return None
    return formats.date_format(day, "DATE_FORMAT") if day else None


def _datetime_text(value: str) -> str | None:
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)  # the reader's time zone (the middleware activates it)
    return formats.date_format(moment, "DATETIME_FORMAT")


def _temporal_or_number_text(value: str, field: models.Field | None) -> str | None:
    """A date, datetime or decimal stored as text, in the reader's locale; None when it is none of these.

    With a known model field only its own kind is converted (a text field that happens to hold
    "2026-12-01" stays as typed); change keys that are not fields are recognised by their form."""
    if field is not None:
        if isinstance(field, models.DateTimeField):
            return _datetime_text(value)
        if isinstance(field, models.DateField):
            return _date_text(value)
        if isinstance(field, (models.DecimalField, models.FloatField)):
            return numbers.number_text(value) if numbers.to_decimal(value) is not None else None
        return None
    if ISO_DATE_RE.fullmatch(value):
        return _date_text(value)
    if ISO_DATETIME_RE.fullmatch(value):
        return _datetime_text(value)
    if DECIMAL_RE.fullmatch(value):
        return numbers.number_text(value)
    return None


def value_text(value, field: models.Field | None = None) -> str:
    """A stored change value in words: a choice's label, yes/no, a list or dict item by item, None as «—»,
    dates, times and decimals in the reader's locale («1 декабря 2026 г.», «18,5», «3 200»)."""
    if value is None or value == "":
        return EMPTY
    if field is not None and getattr(field, "choices", None):
        labels = {str(k): v for k, v in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        if not value:
            return EMPTY
        return "; ".join(f"{capfirst(str(k).replace('_', ' '))}: {value_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v, field) for v in value) if value else EMPTY
    if isinstance(value, float) or (isinstance(value, int) and isinstance(field, (models.DecimalField,
                                                                                   models.FloatField))):
        return numbers.number_text(value)
    if isinstance(value, str):
        text = _temporal_or_number_text(value.strip(), field)
        if text is not None:
            return text
    return str(value)


def _model(row):
    return row.target_type.model_class() if row.target_type_id and row.target_type else None


def changes(row) -> list[Change]:
    model = _model(row)
    result = []
    for name, pair in (row.changes or {}).items():
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        field = _model_field(model, name)
        result.append(Change(field=field_label(model, name), old=value_text(old, field), new=value_text(new, field)))
    return result


def changes_text(row) -> str:
    parts = []
    for change in changes(row):
        if change.old == EMPTY:
            parts.append(f"{change.field}: {change.new}")
        elif change.new == EMPTY:
            parts.append(_("%(field)s: %(old)s removed") % {"field": change.field, "old": change.old})
        else:
            parts.append(f"{change.field}: {change.old} → {change.new}")
    return "; ".join(parts)


def actor_name(row) -> str:
    if row.actor_id and row.actor:
        return row.actor.full_name or row.actor.email
    return _("System")


def sentence(row) -> str:
    """The row as one sentence in the active language; an unknown code reads «<actor>: <code> <object>»."""
    action = ACTIONS.get(row.action)
    params = {"actor": actor_name(row), "target": row.target_repr or EMPTY}
    if action is None:
        text = _("%(actor)s: %(action)s") % {"actor": params["actor"], "action": row.action}
        return f"{text} “{row.target_repr}”" if row.target_repr else text
    status = next((name for name in STATUS_FIELDS if name in (row.changes or {})), None)
    if action.status_sentence and status:
        model = _model(row)
        field = _model_field(model, status)
        old, new = row.changes[status][:2]
        return str(action.status_sentence) % (params | {"old": value_text(old, field), "new": value_text(new, field)})
    return str(action.sentence) % params
