"""CSV export of deals (the ticked rows of the deal list), written by mrm.core.exports (formula-safe cells).
The agency's active deal custom fields come last, one column each."""
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.exports import csv_response

from .exports import custom_cell


def _headers(custom=()) -> list[str]:
    return [_("Deal"), _("Client"), _("Pipeline"), _("Stage"), _("Type"), _("Amount"), _("Currency"),
            _("Expected close"), _("Owner"), _("Why lost"), _("Created"), *(f.label for f in custom)]


def _row(deal, custom=()) -> list:
    return [
        deal.title, deal.client.name, deal.pipeline_stage.pipeline.name, deal.pipeline_stage.name,
        deal.get_kind_display(), deal.amount, deal.currency,
        deal.expected_close_date.isoformat() if deal.expected_close_date else "",
        deal.owner.full_name if deal.owner else "", deal.lost_reason,
        timezone.localtime(deal.created_at).strftime("%Y-%m-%d"),
        *(custom_cell((deal.custom or {}).get(f.key)) for f in custom),
    ]


def deal_export_csv(deals, *, custom=()):
    return csv_response(filename=f"deals-{timezone.localdate():%Y-%m-%d}.csv", header=_headers(custom),
                        rows=(_row(d, custom) for d in deals))
