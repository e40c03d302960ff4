"""Delivery: a project (one-off or retainer), its team and budget by role, workstreams, milestones, tasks and
finish-to-start dependencies. The PM (`manager`) owns delivery; the AM (`account_manager`) the relationship."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.tenancy.models import AgencyOwned
from proposals.models.catalog import Discipline

MONEY = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0")}
HOURS = {"max_digits": 9, "decimal_places": 1, "default": Decimal("0"), "validators": [MinValueValidator(0)]}


class Project(AgencyOwned, TimeStamped):
    class Kind(models.TextChoices):
        ONE_OFF = "one_off", _("One-off")
        RETAINER = "retainer", _("Retainer")

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.PLANNING, Status.ACTIVE, Status.PAUSED)

    class Rollover(models.TextChoices):
        NONE = "none", _("Unused hours expire")
        CARRY = "carry", _("Unused hours carry over")
        CARRY_CAPPED = "carry_capped", _("Unused hours carry over, up to a cap")

    client = models.ForeignKey("clients.Client", verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="projects")
    deal = models.ForeignKey("clients.Deal", verbose_name=_("deal"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="projects")
    proposal = models.ForeignKey("proposals.Proposal", verbose_name=_("proposal"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="projects")
    proposal_version = models.ForeignKey("proposals.ProposalVersion", verbose_name=_("accepted version"),
                                         on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # "<proposal id>:<version hash>" for a project made from an acceptance: the hand-off's idempotency key.
    handoff_key = models.CharField(max_length=120, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.ONE_OFF)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNING)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("planned end"), null=True, blank=True)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("project manager"),
                                on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    account_manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                        on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    # The budget: the accepted (or typed) sell total and hours, and the internal cost; the budget lines by
    # role add up to these (approved change requests add lines).
    budget_amount = models.DecimalField(_("budget"), validators=[MinValueValidator(0)], **MONEY)
    budget_hours = models.DecimalField(_("budgeted hours"), **HOURS)
    budget_cost = models.DecimalField(_("internal cost budget"), validators=[MinValueValidator(0)], **MONEY)
    # Retainers: what renews every month, and what happens to unused hours.
    retainer_hours = models.DecimalField(_("hours per month"), **HOURS)
    retainer_amount = models.DecimalField(_("fee per month"), validators=[MinValueValidator(0)], **MONEY)
    rollover = models.CharField(_("unused hours"), max_length=14, choices=Rollover.choices, default=Rollover.NONE)
    rollover_cap_hours = models.DecimalField(_("carry-over cap, hours"), **HOURS)
    # The interaction agreement for alerts: how long a client approval may take, in working days.
    approval_days = models.PositiveSmallIntegerField(
        _("client approval takes at most, working days"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)])
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "status", "-created_at"], name="project_agency_status"),
            models.Index(fields=["agency", "client"], name="project_agency_client"),
            models.Index(fields=["agency", "manager", "status"], name="project_agency_manager"),
            models.Index(fields=["agency", "account_manager", "status"], name="project_agency_am"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["agency", "handoff_key"], condition=~Q(handoff_key=""),
                                    name="project_unique_handoff"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(start_date__isnull=True)
                                   | Q(end_date__gte=F("start_date")), name="project_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ProjectMember(AgencyOwned, TimeStamped):
    """A person on the project's team; a specialist sees the projects they are on (and the PM's own)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey("proposals.RateRole", verbose_name=_("role"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    title = models.CharField(_("role in this project"), max_length=120, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="projectmember_unique_user")]
        indexes = [models.Index(fields=["agency", "user"], name="projectmember_agency_user")]

    def __str__(self) -> str:
        return f"{self.user} ({self.title})"


class BudgetLine(AgencyOwned, TimeStamped):
    """Planned hours and money for one role: from the accepted version, typed by hand, or an approved change."""

    class Source(models.TextChoices):
        PROPOSAL = "proposal", _("Accepted proposal")
        MANUAL = "manual", _("Added by hand")
        CHANGE = "change", _("Change request")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    role = models.ForeignKey("proposals.RateRole", verbose_name=_("role"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    role_name = models.CharField(_("role"), max_length=120)
    hours = models.DecimalField(_("hours"), **HOURS)
    sell_rate = models.DecimalField(_("rate"), max_digits=12, decimal_places=2, default=Decimal("0"),
                                    validators=[MinValueValidator(0)])
    cost_rate = models.DecimalField(_("internal cost per hour"), max_digits=12, decimal_places=2,
                                    default=Decimal("0"), validators=[MinValueValidator(0)])
    amount = models.DecimalField(_("amount"), **MONEY)
    cost_amount = models.DecimalField(_("internal cost"), **MONEY)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    # The change request (projects app, change requests) that added this line, as its id; kept as a plain
    # id so the budget does not depend on how change requests are stored.
    change_request_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["agency", "project"], name="budgetline_agency_project")]

    def __str__(self) -> str:
        return f"{self.role_name}: {self.hours} h"


class Workstream(AgencyOwned, TimeStamped):
    """A strand of the work by discipline (creative, media, SEO…): the rows of the timeline."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="workstreams")
    discipline = models.CharField(_("discipline"), max_length=20, choices=Discipline.choices, blank=True)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "created_at"]
        indexes = [models.Index(fields=["agency", "project", "order"], name="workstream_agency_project")]

    def __str__(self) -> str:
        return self.name


class Milestone(AgencyOwned, TimeStamped):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    workstream = models.ForeignKey(Workstream, verbose_name=_("workstream"), on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due"), null=True, blank=True)
    # The date first agreed: slippage is due_date − baseline_due_date.
    baseline_due_date = models.DateField(_("baseline due"), null=True, blank=True)
    client_visible = models.BooleanField(_("the client sees it"), default=True)
    reached_at = models.DateTimeField(_("reached"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["due_date", "order", "created_at"]
        indexes = [models.Index(fields=["agency", "project", "due_date"], name="milestone_agency_project")]

    def __str__(self) -> str:
        return self.title


class ProjectTask(AgencyOwned, TimeStamped):
    """A piece of delivery work (not the CRM's follow-up `clients.Task`)."""

    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        REVIEW = "review", _("On review")
        CLIENT_APPROVAL = "client_approval", _("On client approval")
        DONE = "done", _("Done")

    OPEN_STATUSES = (Status.TODO, Status.IN_PROGRESS, Status.REVIEW, Status.CLIENT_APPROVAL)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    workstream = models.ForeignKey(Workstream, verbose_name=_("workstream"), on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="tasks")
    milestone = models.ForeignKey(Milestone, verbose_name=_("milestone"), on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="tasks")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    role = models.ForeignKey("proposals.RateRole", verbose_name=_("role"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    estimate_hours = models.DecimalField(_("estimate, hours"), **HOURS)
    start_date = models.DateField(_("start"), null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    baseline_start_date = models.DateField(_("baseline start"), null=True, blank=True)
    baseline_due_date = models.DateField(_("baseline due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.TODO)
    status_changed_at = models.DateTimeField(null=True, blank=True)  # "on client approval since"
    completed_at = models.DateTimeField(null=True, blank=True)
    client_visible = models.BooleanField(_("the client sees it"), default=False)
    position = models.PositiveIntegerField(default=0)  # order inside a board column / the list
    # The estimate line of the accepted version this task was proposed from (hand-off idempotency).
    source_key = models.CharField(max_length=80, blank=True, editable=False)
    # change requests: work the client asked for beyond the agreed scope. Time logged on such a task is
    # "hidden cost" until an approved change request prices it (projects.selectors.changes).
    out_of_scope = models.BooleanField(_("extra work not in the agreed scope"), default=False)
    # The hours logged on the task (the sum of its time entries), kept by projects.services.logged whenever an
    # entry is written, so lists and the capacity view read one column instead of summing the time entries.
    logged_hours = models.DecimalField(_("logged, hours"), max_digits=9, decimal_places=2, default=0, editable=False)

    class Meta:
        ordering = ["position", "created_at"]
        indexes = [
            models.Index(fields=["agency", "project", "status", "position"], name="ptask_agency_project_status"),
            # Covering the capacity aggregate (projects.services.capacity_sql): an index-only read of open tasks.
            models.Index(fields=["agency", "assignee", "status", "due_date"], name="ptask_agency_assignee",
                         include=["project", "estimate_hours", "logged_hours", "start_date"]),
            models.Index(fields=["agency", "status", "due_date"], name="ptask_agency_status_due"),
            models.Index(fields=["agency", "milestone"], name="ptask_agency_milestone"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(due_date__isnull=True) | Q(start_date__isnull=True)
                                   | Q(due_date__gte=F("start_date")), name="ptask_due_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class TaskDependency(AgencyOwned, TimeStamped):
    """Finish-to-start: `successor` cannot start before `predecessor` is done. Cycles are refused by the
    service that adds dependencies."""

    predecessor = models.ForeignKey(ProjectTask, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(ProjectTask, on_delete=models.CASCADE, related_name="predecessor_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="taskdependency_unique_pair"),
            models.CheckConstraint(condition=~Q(predecessor=F("successor")), name="taskdependency_not_self"),
        ]
        indexes = [models.Index(fields=["agency", "successor"], name="taskdep_agency_successor")]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id}"
