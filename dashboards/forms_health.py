"""Forms of the at-risk list: its filters (in the URL) and the inline "assign a follow-up" form."""
from datetime import date, datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Task
from mrm.core.forms import IsoDateInput, StyledFormMixin

from .health_selectors import BAND_FILTERS, SORTS, HealthQuery

END_OF_DAY = time(18, 0)


class HealthFilterForm(forms.Form):
    band = forms.ChoiceField(required=False, label=_("Show"), choices=[
        ("at_risk", _("At risk")), ("watch", _("Watch")), ("healthy", _("Healthy")), ("all", _("All clients"))])
    owner = forms.TypedChoiceField(required=False, label=_("Account manager"), coerce=int, empty_value=None)
    q = forms.CharField(required=False, max_length=100, label=_("Client"))
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS])
    dir = forms.ChoiceField(required=False, choices=[("asc", "asc"), ("desc", "desc")])

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Every AM"))] + [(u.pk, u.full_name or u.email) for u in owners]

    def query(self) -> HealthQuery:
        """The filters as a `HealthQuery`; invalid values fall back to the defaults (the list still shows)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        band = data.get("band") or "at_risk"
        return HealthQuery(band=band if band in BAND_FILTERS else "at_risk", owner=data.get("owner"),
                           search=(data.get("q") or "").strip(), sort=data.get("sort") or "revenue",
                           descending=(data.get("dir") or "desc") != "asc")


class FollowUpForm(StyledFormMixin, forms.Form):
    """A follow-up task for the client's AM: the title comes from the suggested action."""

    title = forms.CharField(label=_("Follow-up"), max_length=200)
    due_date = forms.DateField(label=_("Due"), widget=IsoDateInput())
    priority = forms.ChoiceField(label=_("Priority"), choices=Task.Priority.choices, initial=Task.Priority.HIGH)
    assignee = forms.TypedChoiceField(label=_("Assign to"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, assignees=None, **kwargs):
        """`assignees`: the users a director may pick from; None: no choice (the client's AM gets it)."""
        super().__init__(*args, **kwargs)
        if assignees is None:
            del self.fields["assignee"]
        else:
            self.users = {u.pk: u for u in assignees}
            self.fields["assignee"].choices = [(u.pk, u.full_name or u.email) for u in assignees]
            self.fields["assignee"].required = True

    def clean_due_date(self) -> date:
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("The due date is in the past. Pick today or a later day."))
        return due

    def task_data(self, *, client, default_assignee) -> dict:
        data = self.cleaned_data
        assignee = self.users.get(data.get("assignee")) if "assignee" in self.fields else default_assignee
        due = timezone.make_aware(datetime.combine(data["due_date"], END_OF_DAY), timezone.get_current_timezone())
        return {"title": data["title"], "kind": Task.Kind.FOLLOW_UP, "priority": data["priority"], "due_at": due,
                "client": client, "assignee": assignee}
