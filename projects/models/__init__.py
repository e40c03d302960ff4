from .alerts import Alert as Alert  # alerts (explicit re-export)
from .changes import ChangeRequest as ChangeRequest, ChangeRequestLine as ChangeRequestLine, ChangeRequestRecipient as ChangeRequestRecipient  # noqa: E501, I001  (change requests; explicit re-export)
from .core import BudgetLine, Milestone, Project, ProjectMember, ProjectTask, TaskDependency, Workstream
from .time import TimeEntry, TimeOff
from .work import Comment, TaskAttachment  # noqa: F401  (work area: task comments and files)

__all__ = ["BudgetLine", "Milestone", "Project", "ProjectMember", "ProjectTask", "TaskDependency", "TimeEntry",
           "TimeOff", "Workstream"]
