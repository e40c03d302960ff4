"""Reads of the proposals app. Everything hanging off a client goes through clients.selectors.client_list,
so an AM reaches only the briefs and proposals of the clients they may see. Missing and foreign → 404."""
import uuid

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from clients.selectors import client_list
from mrm.tenancy.models import Agency, Membership

from .models import (
    Brief,
    BriefTemplate,
    Case,
    Discipline,
    EstimateLine,
    Proposal,
    ProposalSection,
    ProposalTeamMember,
    ProposalVersion,
    RateRole,
    Recipient,
    Service,
)


def _first_or_404(qs):
    obj = qs.first()
    if obj is None:
        raise Http404
    return obj


# --- catalog -------------------------------------------------------------------------------------

def role_list(*, agency: Agency, active_only: bool = False) -> QuerySet[RateRole]:
    qs = RateRole.objects.filter(agency=agency)
    return qs.filter(is_active=True) if active_only else qs


def role_get(*, agency: Agency, role_id) -> RateRole:
    return _first_or_404(RateRole.objects.filter(agency=agency, pk=role_id))


def service_list(*, agency: Agency, active_only: bool = False) -> QuerySet[Service]:
    roles = RateRole.objects.filter(agency=agency).order_by("order", "name")
    qs = Service.objects.filter(agency=agency).prefetch_related(Prefetch("roles", queryset=roles))
    return qs.filter(is_active=True) if active_only else qs


def service_get(*, agency: Agency, service_id) -> Service:
    return _first_or_404(service_list(agency=agency).filter(pk=service_id))


def catalog_grouped(*, agency: Agency, active_only: bool = False) -> list[tuple[str, str, list[Service]]]:
    """[(discipline value, label, services)] in the discipline order of the choices."""
    by_discipline: dict[str, list[Service]] = {}
    for service in service_list(agency=agency, active_only=active_only):
        by_discipline.setdefault(service.discipline, []).append(service)
    return [(value, label, by_discipline[value]) for value, label in Discipline.choices if value in by_discipline]


def template_list(*, agency: Agency, active_only: bool = False) -> QuerySet[BriefTemplate]:
    qs = BriefTemplate.objects.filter(agency=agency)
    return qs.filter(is_active=True) if active_only else qs


def template_choose(*, agency: Agency, raw) -> BriefTemplate | None:
    """The active brief template a form asked for (`?t=<id>` or the posted `template`); None for none or a
    malformed / unknown / inactive id. Shared by the public brief form and the portal's "new brief"."""
    if not raw:
        return None
    try:
        return template_list(agency=agency, active_only=True).filter(pk=uuid.UUID(str(raw))).first()
    except ValueError:
        return None


def template_get(*, agency: Agency, template_id) -> BriefTemplate:
    return _first_or_404(BriefTemplate.objects.filter(agency=agency, pk=template_id))


def case_list(*, agency: Agency) -> QuerySet[Case]:
    return Case.objects.filter(agency=agency)


def case_get(*, agency: Agency, case_id) -> Case:
    return _first_or_404(Case.objects.filter(agency=agency, pk=case_id))


# --- briefs --------------------------------------------------------------------------------------

def brief_list(*, agency: Agency, membership: Membership) -> QuerySet[Brief]:
    visible = client_list(agency=agency, membership=membership).values("pk")
    return (Brief.objects.filter(agency=agency, client__in=visible)
            .select_related("client", "owner", "template")
            .annotate(proposal_count=Count("proposals")))


def brief_get(*, agency: Agency, membership: Membership, brief_id) -> Brief:
    qs = brief_list(agency=agency, membership=membership).filter(pk=brief_id).select_related("contact", "deal")
    return _first_or_404(qs.prefetch_related("attachments"))


# --- proposals -----------------------------------------------------------------------------------

def proposal_list(*, agency: Agency, membership: Membership) -> QuerySet[Proposal]:
    visible = client_list(agency=agency, membership=membership).values("pk")
    return Proposal.objects.filter(agency=agency, client__in=visible).select_related("client", "owner")


def proposal_get(*, agency: Agency, membership: Membership, proposal_id) -> Proposal:
    return _first_or_404(proposal_list(agency=agency, membership=membership).filter(pk=proposal_id)
                         .select_related("deal", "brief"))


def proposal_content(*, proposal: Proposal) -> dict:
    """Sections, lines, team, cases of one proposal, in display order (a constant number of queries).

    `lines` are the estimate the client sees and the totals count; `suggestions` are all optional lines (the
    AM's view); `options` are those of them offered to the client as switches (outside the totals)."""
    agency_id = proposal.agency_id
    all_lines = list(EstimateLine.objects.filter(agency_id=agency_id, proposal=proposal))
    return {
        "sections": list(ProposalSection.objects.filter(agency_id=agency_id, proposal=proposal)),
        "lines": [ln for ln in all_lines if not ln.is_optional],
        "suggestions": [ln for ln in all_lines if ln.is_optional],
        "options": [ln for ln in all_lines if ln.is_optional and ln.offered],
        "team": list(ProposalTeamMember.objects.filter(agency_id=agency_id, proposal=proposal)
                     .select_related("user")),
        "cases": list(proposal.cases.filter(agency_id=agency_id).order_by("-created_at")),
    }


def line_get(*, proposal: Proposal, line_id) -> EstimateLine:
    return _first_or_404(EstimateLine.objects.filter(agency_id=proposal.agency_id, proposal=proposal, pk=line_id)
                         .select_related("service"))


def section_get(*, proposal: Proposal, section_id) -> ProposalSection:
    return _first_or_404(ProposalSection.objects.filter(agency_id=proposal.agency_id, proposal=proposal,
                                                        pk=section_id))


def team_member_get(*, proposal: Proposal, member_id) -> ProposalTeamMember:
    return _first_or_404(ProposalTeamMember.objects.filter(agency_id=proposal.agency_id, proposal=proposal,
                                                           pk=member_id))


def version_list(*, proposal: Proposal) -> list[ProposalVersion]:
    """Versions newest first, each with `delta` = its total minus the previous version's total."""
    versions = list(ProposalVersion.objects.filter(agency_id=proposal.agency_id, proposal=proposal)
                    .select_related("sent_by").defer("snapshot").order_by("-number"))
    for index, newer in enumerate(versions):
        older = versions[index + 1] if index + 1 < len(versions) else None
        newer.delta = (newer.total - older.total) if older is not None else None
    return versions


def recipient_list(*, proposal: Proposal) -> QuerySet[Recipient]:
    return (Recipient.objects.filter(agency_id=proposal.agency_id, proposal=proposal)
            .select_related("version", "contact").order_by("-created_at"))


def recipient_get(*, proposal: Proposal, recipient_id) -> Recipient:
    return _first_or_404(recipient_list(proposal=proposal).filter(pk=recipient_id))


def proposals_for_deal(*, agency: Agency, membership: Membership, deal) -> list[Proposal]:
    """The КП of one deal the member may see, newest first, each with `version_rows` (newest first, each with
    `delta` as in `version_list`). Two queries whatever the number of proposals and versions."""
    versions = (ProposalVersion.objects.filter(agency=agency).select_related("sent_by")
                .defer("snapshot", "internal").order_by("-number"))
    proposals = list(proposal_list(agency=agency, membership=membership).filter(deal=deal)
                     .prefetch_related(Prefetch("versions", queryset=versions, to_attr="version_rows"))
                     .order_by("-created_at"))
    for proposal in proposals:
        rows = proposal.version_rows
        for index, newer in enumerate(rows):
            older = rows[index + 1] if index + 1 < len(rows) else None
            newer.delta = (newer.total - older.total) if older is not None else None
    return proposals


def briefs_for_deal(*, agency: Agency, membership: Membership, deal) -> list[Brief]:
    """The briefs linked to one deal the member may see, newest first (one query)."""
    return list(brief_list(agency=agency, membership=membership).filter(deal=deal).order_by("-created_at"))


# --- global search -------------------------------------------------------------------------------

def proposal_search(*, agency: Agency, membership: Membership, query: str) -> QuerySet[Proposal]:
    """Visible proposals whose title or client name contains `query` (the top-bar search), newest first."""
    return (proposal_list(agency=agency, membership=membership)
            .filter(Q(title__icontains=query) | Q(client__name__icontains=query))
            .order_by("-created_at", "pk"))


def brief_search(*, agency: Agency, membership: Membership, query: str) -> QuerySet[Brief]:
    """Visible briefs by company, contact person or client name (the top-bar search), newest first."""
    visible = client_list(agency=agency, membership=membership).values("pk")
    return (Brief.objects.filter(agency=agency, client__in=visible)
            .filter(Q(company_name__icontains=query) | Q(contact_name__icontains=query)
                    | Q(client__name__icontains=query))
            .select_related("client").order_by("-created_at", "pk"))
