"""Work on a task: comments (with @mentions) and attached files."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.core.storage import private_storage
from mrm.tenancy.models import AgencyOwned

from .core import ProjectTask


class Comment(AgencyOwned, TimeStamped):
    """A comment on a project task. `mentions` keeps where each resolved @mention sits in `body`
    ([start, end, user id] per mention), so the page highlights them without parsing again."""

    task = models.ForeignKey(ProjectTask, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("comment"), max_length=5000)
    mentions = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["agency", "task", "created_at"], name="comment_agency_task")]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def mentioned_user_ids(self) -> list[int]:
        return sorted({user_id for _start, _end, user_id in self.mentions})

    def segments(self) -> list[tuple[str, bool]]:
        """The body cut into (text, is_mention) pieces, for safe rendering (the template escapes each)."""
        pieces, pos = [], 0
        for start, end, _user_id in sorted(self.mentions):
            if start < pos or end > len(self.body):
                continue
            if start > pos:
                pieces.append((self.body[pos:start], False))
            pieces.append((self.body[start:end], True))
            pos = end
        if pos < len(self.body):
            pieces.append((self.body[pos:], False))
        return pieces


def _attachment_path(instance, filename: str) -> str:
    # Agency, project and task in the path keep storage tidy; downloads go through a permission-checked view.
    return f"projects/{instance.agency_id}/{instance.task.project_id}/{instance.task_id}/{instance.id}/{filename}"


class TaskAttachment(AgencyOwned, TimeStamped):
    """A file attached to a task (private storage; checked by mrm.core.uploads)."""

    task = models.ForeignKey(ProjectTask, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, storage=private_storage, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # A deliverable: the client may download it in the portal (when the task itself is client-visible).
    client_visible = models.BooleanField(_("the client may download it"), default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "task", "-created_at"], name="attachment_agency_task")]

    def __str__(self) -> str:
        return self.name
