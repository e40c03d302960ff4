"""Forms of the work area: milestones, tasks, a status move, a dependency, a comment, a task file."""
from django import forms
from django.utils.translation import gettext_lazy as _

from clients.uploads import ALLOWED_EXTENSIONS_TEXT, ALLOWED_TYPES, check_upload
from mrm.core.forms import StyledFormMixin
from proposals.models import RateRole

from .models import Milestone, Project, ProjectTask
from .selectors_work import staff_users, workstream_list


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.email


class MilestoneForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_date", "workstream", "client_visible"]
        help_texts = {"client_visible": _("The client sees it in the portal and hears when it is reached.")}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstream"].queryset = workstream_list(agency=project.agency, project=project)


class TaskForm(StyledFormMixin, forms.ModelForm):
    assignee = UserChoiceField(label=_("Assignee"), queryset=None, required=False)

    class Meta:
        model = ProjectTask
        fields = ["title", "description", "workstream", "milestone", "assignee", "role", "estimate_hours",
                  "start_date", "due_date", "client_visible"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"client_visible": _("The client sees the task in the portal.")}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        agency = project.agency
        self.project = project
        self.fields["workstream"].queryset = workstream_list(agency=agency, project=project)
        self.fields["milestone"].queryset = Milestone.objects.filter(agency=agency, project=project)
        self.fields["assignee"].queryset = staff_users(agency=agency)
        self.fields["role"].queryset = RateRole.objects.filter(agency=agency, is_active=True)
        self.fields["estimate_hours"].widget.attrs.update({"min": "0", "step": "0.5"})

    def clean(self):
        data = super().clean()
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("The due date is before the start. Move the due date or the start."))
        return data


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ProjectTask.Status.choices)


class DependencyForm(StyledFormMixin, forms.Form):
    predecessor = forms.ModelChoiceField(label=_("Waits for"), queryset=None,
                                         help_text=_("This task starts when the chosen one is finished."))

    def __init__(self, *args, task: ProjectTask, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].queryset = (ProjectTask.objects.filter(agency=task.agency, project_id=task.project_id)
                                               .exclude(pk=task.pk).order_by("title"))


class CommentForm(StyledFormMixin, forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Mention a colleague with @ and their name or e-mail, e.g. @anna."))


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("Up to 20 MB: %(types)s.") % {"types": ALLOWED_EXTENSIONS_TEXT},
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join("." + e for e in ALLOWED_TYPES)}))
    name = forms.CharField(label=_("Name"), max_length=200, required=False,
                           help_text=_("Leave empty to use the file name."))
    client_visible = forms.BooleanField(
        label=_("Deliverable: the client may download it in the portal"), required=False,
        help_text=_("Only when the task itself is visible to the client."))

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        self.extension, self.content_type = check_upload(upload)  # the same check as client documents
        return upload
