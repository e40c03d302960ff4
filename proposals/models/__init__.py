from .briefs import Brief, BriefAttachment, BriefTemplate
from .catalog import Billing, Case, Discipline, LineKind, ProposalSettings, RateRole, Service, VatMode
from .proposals import EstimateLine, Proposal, ProposalSection, ProposalTeamMember, ProposalVersion
from .tracking import Decision, Recipient, Via, ViewEvent

__all__ = [
    "Billing", "Brief", "BriefAttachment", "BriefTemplate", "Case", "LineKind", "VatMode", "Decision", "Discipline", "EstimateLine", "Proposal",
    "ProposalSection", "ProposalSettings", "ProposalTeamMember", "ProposalVersion", "RateRole", "Recipient",
    "Service", "Via", "ViewEvent",
]
