"""Route-isolation builders for the proposals app (registered in tests/isolation.py): each makes the
object a URL parameter names, in the given (foreign) agency, consistent with parents built before."""
from django_scopes import scopes_disabled

from tests import factories as f


def _proposal(agency, kw):
    if "proposal_id" in kw:
        from proposals.models import Proposal

        with scopes_disabled():
            return Proposal.objects.get(pk=kw["proposal_id"])
    return f.ProposalFactory(agency=agency, client=f.ClientFactory(agency=agency))


def _brief(agency, kw):
    if "brief_id" in kw:
        from proposals.models import Brief

        with scopes_disabled():
            return Brief.objects.get(pk=kw["brief_id"])
    return f.BriefFactory(agency=agency, client=f.ClientFactory(agency=agency))


def proposal_id(agency, kw):
    return _proposal(agency, kw).pk


def section_id(agency, kw):
    return f.ProposalSectionFactory(agency=agency, proposal=_proposal(agency, kw)).pk


def line_id(agency, kw):
    return f.EstimateLineFactory(agency=agency, proposal=_proposal(agency, kw)).pk


def member_id(agency, kw):
    return f.ProposalTeamMemberFactory(agency=agency, proposal=_proposal(agency, kw)).pk


def version_id(agency, kw):
    return f.ProposalVersionFactory(agency=agency, proposal=_proposal(agency, kw)).pk


def recipient_id(agency, kw):
    proposal = _proposal(agency, kw)
    version = f.ProposalVersionFactory(agency=agency, proposal=proposal)
    return f.RecipientFactory(agency=agency, proposal=proposal, version=version).pk


def brief_id(agency, kw):
    return _brief(agency, kw).pk


def attachment_id(agency, kw):
    from django.core.files.base import ContentFile

    from proposals.models import BriefAttachment

    brief = _brief(agency, kw)
    attachment = BriefAttachment(agency=agency, brief=brief, name="brief.pdf", size=4)
    attachment.file.save("brief.pdf", ContentFile(b"%PDF"), save=False)
    attachment.save()
    return attachment.pk


def role_id(agency, kw):
    return f.RateRoleFactory(agency=agency).pk


def service_id(agency, kw):
    return f.ServiceFactory(agency=agency).pk


def template_id(agency, kw):
    return f.BriefTemplateFactory(agency=agency).pk


def case_id(agency, kw):
    return f.CaseFactory(agency=agency).pk


def job_id(agency, kw):
    return f.JobFactory(agency=agency, kind="proposal.pdf").pk


BY_PARAM = {
    "proposal_id": proposal_id, "section_id": section_id, "line_id": line_id, "member_id": member_id,
    "version_id": version_id, "recipient_id": recipient_id, "brief_id": brief_id, "attachment_id": attachment_id,
    "role_id": role_id, "service_id": service_id, "template_id": template_id, "case_id": case_id,
}
BY_ROUTE = {
    "rate-role-detail": {"pk": role_id},
    "catalog-service-detail": {"pk": service_id},
    "brief-detail": {"pk": brief_id},
    "brief-draft": {"pk": brief_id},
    "proposal-detail": {"pk": proposal_id},
    "proposal-send": {"pk": proposal_id},
    "proposal-render-pdf": {"pk": proposal_id},
    "proposal-pdf": {"pk": proposal_id},
    "proposal-versions": {"pk": proposal_id},
    "proposal-line-detail": {"pk": line_id},
    "proposal-job-detail": {"pk": job_id},
}
# Public pages: the agency slug is public by design, the personal link is a signed token (own tests:
# tests/proposals/test_public_brief.py and test_webview.py).
NOT_OBJECT_ROUTES = {
    "proposals_public:brief_form", "proposals_public:brief_embed", "proposals_public:brief_thanks",
    "proposals_public:webview", "proposals_public:webview_pdf", "proposals_public:webview_beacon",
    "proposals_public:webview_decide",
    "proposals_public:webview_renewal",  # the personal link token; tests/proposals/test_expiry.py
    "proposals_public:webview_options",  # the personal link token; forged → 404 in tests/proposals/test_estimate_kinds.py
}
