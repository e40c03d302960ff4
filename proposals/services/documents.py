"""The proposal as a document: the snapshot (what is frozen on send and what the web view and PDF show),
its hash, and the PDF rendering through `mrm.integrations.pdf`."""
import hashlib
import json
from collections.abc import Collection
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mrm.core.storage import public_storage
from mrm.integrations import pdf
from mrm.jobs.models import Job
from mrm.jobs.services import job_create, job_progress, job_succeed
from mrm.tenancy.models import Agency, Membership

from ..models import Billing, Case, LineKind, Proposal, ProposalVersion, Service
from . import editor, pricing

SNAPSHOT_SCHEMA = 2  # 2: line kinds, billing periods, offered options, one-off / monthly / term totals


def _line_doc(line, units: dict, unit_labels: dict) -> dict:
    return {
        "key": str(line.pk), "name": line.name, "role": line.role_name, "kind": line.kind, "billing": line.billing,
        "months": line.months if line.billing == Billing.MONTHLY else 1, "hours": str(line.hours),
        "rate": str(line.rate), "quantity": str(line.quantity), "unit_price": str(line.unit_price),
        "budget": str(line.budget), "commission_percent": str(line.commission_percent), "fee": str(line.fee),
        "commission": str(line.amount - line.budget) if line.kind == LineKind.MEDIA else "0.00",
        "amount": str(line.amount), "term_amount": str(line.term_amount), "note": line.note,
        "unit": str(unit_labels.get(units.get(line.service_id), "")) if line.service_id else "",
    }


def proposal_snapshot(*, proposal: Proposal) -> dict:
    """Everything the client sees, as plain JSON (money as strings with two decimals). Optional items offered
    to the client are in `options` (outside `stages` and the totals); `choice_totals` prices a choice of them."""
    from ..selectors import proposal_content

    content = proposal_content(proposal=proposal)
    agency = proposal.agency
    totals = editor.totals_for(proposal=proposal, lines=content["lines"])
    units = dict(Service.objects.filter(agency=agency, pk__in=[ln.service_id for ln in
                                                                [*content["lines"], *content["options"]]
                                                                if ln.service_id])
                 .values_list("pk", "unit"))
    unit_labels = dict(Service.Unit.choices)
    stages: dict[str, dict] = {}
    for line in content["lines"]:
        bucket = stages.setdefault(line.stage, {"stage": line.stage, "lines": []})
        bucket["lines"].append(_line_doc(line, units, unit_labels))
    by_stage = {s.stage: s for s in totals.stages}
    for name, bucket in stages.items():
        bucket["amount"] = str(by_stage[name].amount)
        bucket["hours"] = str(by_stage[name].hours)
    owner = proposal.owner
    return {
        "schema": SNAPSHOT_SCHEMA,
        "proposal_id": str(proposal.pk),
        "title": proposal.title,
        "issued_on": proposal.issued_on.isoformat(),
        "valid_until": proposal.valid_until.isoformat(),
        "currency": proposal.currency,
        "agency": {"name": agency.name, "brand_color": agency.brand_color, "accent_color": agency.accent_color,
                   "logo": agency.logo.name if agency.logo else ""},
        "client": {"name": proposal.client.name, "legal_name": proposal.client.legal_name},
        "owner": {"name": owner.full_name, "email": owner.email, "phone": owner.phone,
                  "position": owner.position} if owner else None,
        "sections": [{"title": s.title, "body": s.body} for s in content["sections"]],
        "stages": list(stages.values()),
        "options": [{**_line_doc(ln, units, unit_labels), "stage": ln.stage} for ln in content["options"]],
        "totals": totals.as_dict(),
        "discount_reason": proposal.discount_reason,
        "team": [{"name": m.user.full_name, "role": m.role_title or m.user.position, "bio": m.user.bio,
                  "photo": m.user.photo.name if m.user.photo else ""} for m in content["team"]],
        "cases": [{"title": c.title, "kind": c.kind, "client": c.client_name, "description": c.description,
                   "result": c.result, "image": c.image.name if c.image else ""} for c in content["cases"]],
        "terms": proposal.terms,
    }


def _price_line(row: dict, stage: str) -> pricing.PriceLine:
    return pricing.PriceLine(stage=stage, amount=Decimal(row["amount"]), billing=row.get("billing") or "one_off",
                             months=int(row.get("months") or 1),
                             hours=Decimal(row.get("hours") or "0") if row.get("kind", "time") == "time"
                             else Decimal("0"))


def option_keys(*, snapshot: dict, chosen) -> list[str]:
    """The chosen keys that are options of this snapshot, in the snapshot's order (anything else is ignored)."""
    chosen = {str(k) for k in chosen or ()}
    return [o["key"] for o in snapshot.get("options") or [] if o.get("key") in chosen]


def choice_totals(*, snapshot: dict, chosen=()) -> pricing.Totals:
    """The totals of a frozen version with the client's choice of its optional items switched on, from the
    snapshot alone (amounts the app computed when freezing; discount and VAT as frozen). No JS maths."""
    keys = set(option_keys(snapshot=snapshot, chosen=chosen))
    frozen = snapshot.get("totals") or {}
    lines = [_price_line(row, st["stage"]) for st in snapshot.get("stages", []) for row in st.get("lines", [])]
    lines += [_price_line(o, o.get("stage", "")) for o in snapshot.get("options") or [] if o["key"] in keys]
    return pricing.compute(lines=lines, discount_percent=Decimal(frozen.get("discount_percent") or "0"),
                           vat_rate=Decimal(frozen.get("vat_rate") or "0"), vat_mode=frozen.get("vat_mode") or "excl")


def choice_context(*, snapshot: dict, chosen=()) -> dict:
    """Template context of a choice of options: its totals, the keys switched on and their names."""
    keys = option_keys(snapshot=snapshot, chosen=chosen)
    names = {o["key"]: o["name"] for o in snapshot.get("options") or []}
    return {"choice": choice_totals(snapshot=snapshot, chosen=keys), "chosen_keys": keys,
            "chosen_names": [names[k] for k in keys]}


def accepted_snapshot(*, snapshot: dict, chosen=()) -> dict:
    """The version as accepted: the switched-on options joined to their stages (after the stage's own lines),
    the rest dropped, and the totals of that choice. What delivery plans from."""
    keys = set(option_keys(snapshot=snapshot, chosen=chosen))
    stages = [{**st, "lines": list(st.get("lines", []))} for st in snapshot.get("stages", [])]
    by_name = {st["stage"]: st for st in stages}
    for option in snapshot.get("options") or []:
        if option["key"] not in keys:
            continue
        row = {k: v for k, v in option.items() if k != "stage"}
        stage = by_name.get(option.get("stage", ""))
        if stage is None:
            stage = {"stage": option.get("stage", ""), "lines": []}
            stages.append(stage)
            by_name[stage["stage"]] = stage
        stage["lines"].append(row)
    totals = choice_totals(snapshot=snapshot, chosen=keys)
    by_stage = {s.stage: s for s in totals.stages}
    for st in stages:
        st["amount"], st["hours"] = str(by_stage[st["stage"]].amount), str(by_stage[st["stage"]].hours)
    return {**snapshot, "stages": stages, "options": [], "totals": totals.as_dict(),
            "chosen_options": [o["name"] for o in snapshot.get("options") or [] if o["key"] in keys]}


def proposal_internal_snapshot(*, proposal: Proposal) -> dict:
    """The staff-only side of a frozen version: each line's internal cost rate and cost, and the margin
    of the net price (after discount, before VAT). Never part of the client's snapshot or its hash."""
    every = list(proposal.lines.filter(agency_id=proposal.agency_id).order_by("order", "created_at"))
    lines = [line for line in every if not line.is_optional]
    totals = editor.totals_for(proposal=proposal, lines=lines)
    periods = {line.pk: pricing.term_months(billing=line.billing, months=line.months) for line in every}
    cost = sum((line.cost_amount * periods[line.pk] for line in lines), Decimal("0.00"))
    net = totals.net - (totals.vat_amount if totals.vat_mode == pricing.VAT_INCL else Decimal("0"))
    return {
        "lines": [{"name": line.name, "role": line.role_name, "stage": line.stage, "hours": str(line.hours),
                   "rate": str(line.rate), "internal_cost_rate": str(line.internal_cost_rate),
                   "cost_amount": str(line.cost_amount), "kind": line.kind, "key": str(line.pk),
                   "optional": line.is_optional} for line in every if not line.is_optional or line.offered],
        "cost_total": str(cost),
        "net_total": str(net),
        "margin": str(net - cost),
        "margin_percent": str((100 * (net - cost) / net).quantize(Decimal("0.1"))) if net else "0.0",
    }


def snapshot_hash(snapshot: dict) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _readable_text(hex_colour: str) -> str:
    """White or near-black text, whichever reads better on the brand colour (WCAG relative luminance)."""
    try:
        r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    except (ValueError, TypeError):
        return "#ffffff"

    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return "#101828" if luminance > 0.45 else "#ffffff"


def document_context(*, snapshot: dict, for_pdf: bool, version: int | None = None,
                     pdf_files: Collection[str] = ()) -> dict:
    """Template context shared by the PDF and the web view; image references resolved for the medium.

    On the web an image is its public-storage URL; in the PDF it is a `mrm-storage:` reference, given only for
    the files in `pdf_files` (those the renderer will fetch), so a missing or foreign file shows as absent."""

    def image(name: str) -> str:
        if not name:
            return ""
        if for_pdf:
            return pdf.storage_file_url(name) if name in pdf_files else ""
        return public_storage().url(name)

    brand = snapshot["agency"]["brand_color"]
    return {
        "doc": snapshot, "version": version, "brand": brand, "accent": snapshot["agency"]["accent_color"],
        "on_brand": _readable_text(brand), "logo_url": image(snapshot["agency"]["logo"]),
        "team": [{**m, "photo_url": image(m["photo"])} for m in snapshot["team"]],
        "cases": [{**c, "image_url": image(c["image"])} for c in snapshot["cases"]],
        "issued_on": _date(snapshot["issued_on"]), "valid_until": _date(snapshot["valid_until"]),
    }


def snapshot_image_names(snapshot: dict) -> set[str]:
    """The public-storage files a document shows: the agency logo, team photos and case images."""
    names = {snapshot["agency"]["logo"], *(m["photo"] for m in snapshot["team"]),
             *(c["image"] for c in snapshot["cases"])}
    return {n for n in names if n}


def agency_image_names(*, agency: Agency, names: Collection[str]) -> set[str]:
    """Those of `names` that are the agency's own existing files: its logo, its cases' images, its members'
    photos. Whatever else a snapshot or a template names (another agency's upload, say) is not embedded."""
    names = set(names)
    if not names:
        return set()
    own = set(Agency.objects.filter(pk=agency.pk, logo__in=names).values_list("logo", flat=True))
    own |= set(Case.objects.filter(agency=agency, image__in=names).values_list("image", flat=True))
    own |= set(Membership.objects.filter(agency=agency, user__photo__in=names)
               .values_list("user__photo", flat=True))
    storage = public_storage()
    return {n for n in own if storage.exists(n)}


def _date(iso: str):
    from datetime import date

    return date.fromisoformat(iso)


def render_html(*, snapshot: dict, version: int | None = None, pdf_files: Collection[str] = (),
                certificate: dict | None = None) -> str:
    ctx = document_context(snapshot=snapshot, for_pdf=True, version=version, pdf_files=pdf_files)
    ctx["certificate"] = certificate
    return render_to_string("proposals/pdf/proposal.html", ctx)


def render_pdf(*, agency: Agency, snapshot: dict, version: int | None = None, language: str = "ru",
               certificate: dict | None = None) -> bytes:
    """The PDF of a snapshot; it embeds only the images that are the agency's own files. `certificate` (who,
    when, IP, version, hash: see `tracking.acceptance_certificate`) appends the acceptance record as a last page."""
    files = agency_image_names(agency=agency, names=snapshot_image_names(snapshot))
    with translation.override(language):
        return pdf.render_pdf(html=render_html(snapshot=snapshot, version=version, pdf_files=files,
                                               certificate=certificate),
                              storage_names=files)


def pdf_start(*, agency: Agency, actor, proposal: Proposal) -> Job:
    """Queue a PDF of the proposal as it is now (after commit)."""
    job = job_create(agency=agency, actor=actor, kind="proposal.pdf",
                     title=_("PDF of “%(title)s”") % {"title": proposal.title[:120]},
                     params={"proposal_id": str(proposal.pk)})
    from ..tasks import proposal_render_pdf_task

    proposal_render_pdf_task.delay_on_commit(agency_id=agency.pk, job_id=str(job.pk))
    return job


def pdf_job_run(*, agency: Agency, job: Job) -> None:
    proposal = Proposal.objects.select_related("client", "owner", "agency").filter(
        agency=agency, pk=job.params.get("proposal_id")).first()
    if proposal is None:
        from mrm.core.errors import ServiceError

        raise ServiceError(_("The proposal was deleted."))
    job_progress(job=job, progress=20, message=_("Laying out the pages…"))
    content = render_pdf(agency=agency, snapshot=proposal_snapshot(proposal=proposal))
    job_progress(job=job, progress=90, message=_("Saving…"))
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(agency=agency, pk=proposal.pk)
        if locked.pdf_file:
            locked.pdf_file.delete(save=False)
        locked.pdf_file.save(f"{agency.uuid}/{proposal.pk}.pdf", ContentFile(content), save=False)
        locked.pdf_rendered_at = timezone.now()
        locked.save(update_fields=["pdf_file", "pdf_rendered_at", "updated_at"])
        job_succeed(job=job, message=_("PDF ready"), result_url=reverse("proposals:pdf_download",
                                                                        args=[proposal.pk]))


def version_pdf(*, version: ProposalVersion) -> bytes:
    """The PDF of a sent version, rendered from its snapshot once and then kept (deterministic name)."""
    if version.pdf_file:
        try:
            with version.pdf_file.open("rb") as fh:
                return fh.read()
        except FileNotFoundError:
            pass
    content = render_pdf(agency=version.agency, snapshot=version.snapshot, version=version.number)
    version.pdf_file.save("v.pdf", ContentFile(content), save=False)
    ProposalVersion.objects.filter(agency_id=version.agency_id, pk=version.pk).update(pdf_file=version.pdf_file.name)
    return content
