"""The portal's answer on a proposal: the personal link's DecisionForm (typed full name, "I accept" box, the
version's hash), and a decline says why — the agency reads it, and it becomes the deal's lost reason."""
from django.utils.translation import gettext_lazy as _

from proposals.forms import DecisionForm


class PortalDecisionForm(DecisionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].label = _("Comment (required when you decline: say why)")

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why you decline: your agency reads it to do better."))
        return data
