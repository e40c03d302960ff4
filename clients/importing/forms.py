from django import forms
from django.utils.translation import gettext_lazy as _

from mrm.core.errors import ServiceError
from mrm.core.forms import StyledFormMixin

from ..models import ImportFile
from . import readers
from .schema import FIELDS, MATCH_KEYS, mapping_problems

ALLOWED_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx")


class ImportUploadForm(StyledFormMixin, forms.Form):
    entity = forms.ChoiceField(label=_("The file contains"), choices=ImportFile.Entity.choices,
                               initial=ImportFile.Entity.COMPANIES, widget=forms.RadioSelect)
    file = forms.FileField(label=_("File"), help_text=_("CSV or Excel .xlsx, up to 50 MB and 100 000 rows."),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The size is known from the upload handler: refuse before reading a byte of content.
        try:
            readers.check_size(upload.size)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        name = upload.name.lower()
        if name.endswith(".xls"):
            raise forms.ValidationError(_("Old Excel .xls files are not supported: open the file in Excel and save "
                                          "it as .xlsx or CSV."))
        if not name.endswith(ALLOWED_EXTENSIONS):
            raise forms.ValidationError(_("Upload a CSV or an Excel .xlsx file."))
        return upload


class ImportMappingForm(StyledFormMixin, forms.Form):
    """One select per column of the file (`col_<index>`), the match key and the bad-rows option."""

    match_key = forms.ChoiceField(label=_("Find existing records by"))
    skip_bad_rows = forms.BooleanField(label=_("Skip bad rows and import the good ones"), required=False)

    def __init__(self, *args, import_file: ImportFile, **kwargs):
        initial = {f"col_{i}": k for i, k in import_file.mapping.items()}
        initial.update(match_key=import_file.match_key, skip_bad_rows=import_file.skip_bad_rows)
        super().__init__(*args, initial=initial, **kwargs)
        self.import_file = import_file
        from .resolve import import_custom_fields

        self.custom = import_custom_fields(agency=import_file.agency, entity=import_file.entity)
        choices = [("", _("— do not import —"))] + [(f.key, f.label) for f in FIELDS[import_file.entity]]
        if self.custom:
            choices.append((_("Custom fields"), [(f.key, f.label) for f in self.custom]))
        self.columns = []
        for i, header in enumerate(import_file.headers):
            name = f"col_{i}"
            self.fields[name] = forms.ChoiceField(label=header or _("Column %(n)s") % {"n": i + 1},
                                                  choices=choices, required=False)
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
            self.columns.append((i, name))
        self.fields["match_key"].choices = MATCH_KEYS[import_file.entity]

    def column_fields(self):
        return [(i, self[name]) for i, name in self.columns]

    @property
    def mapping(self) -> dict[str, str]:
        return {str(i): self.cleaned_data.get(name) for i, name in self.columns if self.cleaned_data.get(name)}

    def clean(self):
        data = super().clean()
        if "match_key" in data:
            for field, message in mapping_problems(self.import_file.entity, self.mapping, data["match_key"],
                                                   self.custom):
                self.add_error(field or None, message)
        return data
