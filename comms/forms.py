from django import forms
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import StyledFormMixin
from proposals.forms import ATTACHMENT_EXTENSIONS, MultipleFileField, check_attachments

from .models import ClientRequest
from .services import BODY_MAX

ACCEPT = ",".join("." + ext for ext in ATTACHMENT_EXTENSIONS)
FILES_HELP = _("Up to 5 files, 10 MB each: PDF, office documents, images, ZIP.")


class MessageForm(StyledFormMixin, forms.Form):
    body = forms.CharField(label=_("Message"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("Attachments"), required=False, help_text=FILES_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs["accept"] = ACCEPT

    def clean_files(self):
        return check_attachments(self.cleaned_data.get("files") or [])


class RequestForm(MessageForm):
    kind = forms.ChoiceField(label=_("What is it about?"), choices=ClientRequest.Kind.choices,
                             initial=ClientRequest.Kind.QUESTION)
    subject = forms.CharField(label=_("Subject"), max_length=200)

    field_order = ["kind", "subject", "body", "files"]
