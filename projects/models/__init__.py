from .alerts import Alert as Alert  # alerts (explicit re-export)
from .changes import ChangeRequest as ChangeRequest  # noqa: E501, I001  (change requests; explicit re-export)
from .changes import ChangeRequestLine as ChangeRequestLine
from .changes import ChangeRequestRecipient as ChangeRequestRecipient
from .core import BudgetLine, Milestone, Project, ProjectMember, ProjectTask, TaskDependency, Workstream
from .time import TimeEntry, TimeOff
from .work import Comment, TaskAttachment  # noqa: F401  (work area: task comments and files)

__all__ = ["BudgetLine", "Milestone", "Project", "ProjectMember", "ProjectTask", "TaskDependency", "TimeEntry",
           "TimeOff", "Workstream"]
