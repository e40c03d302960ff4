"""The choices of a bulk action on the client, deal and task lists (which records: the ticked `ids`, read apart)."""
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import IsoDateInput, StyledFormMixin

from .models import Client, Deal
from .services.bulk import MAX_BULK_IDS


class TooManyIds(Exception):
    pass


def submitted_ids(data) -> list[uuid.UUID]:
    """The ticked record ids of a POST, deduplicated in order; malformed ones are dropped (they match nothing)."""
    raw = data.getlist("ids")
    if len(raw) > MAX_BULK_IDS:
        raise TooManyIds
    ids = []
    for value in raw:
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return list(dict.fromkeys(ids))


class ClientBulkForm(StyledFormMixin, forms.Form):
    class Action:
        OWNER, STATUS, TAG = "owner", "status", "tag"

    action = forms.ChoiceField(label=_("Action"), choices=[
        (Action.OWNER, _("Assign an account manager")), (Action.STATUS, _("Change status")),
        (Action.TAG, _("Add a tag"))])
    owner = forms.ModelChoiceField(label=_("Account manager"), queryset=None, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—")] + list(Client.Status.choices), required=False)
    churn_reason = forms.CharField(label=_("Churn reason"), max_length=255, required=False)
    tag = forms.CharField(label=_("Tag"), max_length=40, required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners

    def clean_tag(self) -> str:
        return self.cleaned_data.get("tag", "").strip()

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == self.Action.OWNER and not data.get("owner"):
            self.add_error("owner", _("Choose the account manager."))
        elif action == self.Action.STATUS:
            if not data.get("status"):
                self.add_error("status", _("Choose the status."))
            elif data["status"] == Client.Status.CHURNED and not data.get("churn_reason"):
                self.add_error("churn_reason", _("Say why the client left: it feeds the churn analysis."))
        elif action == self.Action.TAG and not data.get("tag"):
            self.add_error("tag", _("Enter the tag."))
        return data

    def changes(self) -> dict:
        """The field changes for `client_bulk_update` (the tag action has none)."""
        data = self.cleaned_data
        if data["action"] == self.Action.OWNER:
            return {"owner": data["owner"]}
        if data["action"] == self.Action.STATUS:
            changes = {"status": data["status"]}
            if data["status"] == Client.Status.CHURNED:
                changes["churn_reason"] = data["churn_reason"]
            return changes
        return {}


class TaskBulkForm(StyledFormMixin, forms.Form):
    class Action:
        ASSIGN, DONE, DUE = "assign", "done", "due"

    action = forms.ChoiceField(label=_("Action"), choices=[
        (Action.ASSIGN, _("Assign to")), (Action.DONE, _("Mark done")), (Action.DUE, _("Change the due date"))])
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=IsoDateInput())

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees

    def clean(self):
        data = super().clean()
        if data.get("action") == self.Action.ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Choose who does the tasks."))
        elif data.get("action") == self.Action.DUE and not data.get("due_date"):
            self.add_error("due_date", _("Choose the due date."))
        return data


class DealBulkForm(StyledFormMixin, forms.Form):
    class Action:
        OWNER, STAGE = "owner", "stage"

    action = forms.ChoiceField(label=_("Action"), choices=[
        (Action.OWNER, _("Assign an owner")), (Action.STAGE, _("Move to a stage"))])
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=[("", "—")] + list(Deal.Stage.choices), required=False)
    lost_reason = forms.CharField(label=_("Why lost"), max_length=255, required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == self.Action.OWNER and not data.get("owner"):
            self.add_error("owner", _("Choose the owner."))
        elif action == self.Action.STAGE:
            if not data.get("stage"):
                self.add_error("stage", _("Choose the stage."))
            elif data["stage"] == Deal.Stage.LOST and not (data.get("lost_reason") or "").strip():
                self.add_error("lost_reason", _("Say why the deals were lost: it feeds the win/loss analysis."))
        return data
