from .briefs import Brief, BriefAttachment, BriefTemplate
from .catalog import Case, Discipline, ProposalSettings, RateRole, Service
from .proposals import EstimateLine, Proposal, ProposalSection, ProposalTeamMember, ProposalVersion
from .tracking import Decision, Recipient, Via, ViewEvent

__all__ = [
    "Brief", "BriefAttachment", "BriefTemplate", "Case", "Decision", "Discipline", "EstimateLine", "Proposal",
    "ProposalSection", "ProposalSettings", "ProposalTeamMember", "ProposalVersion", "RateRole", "Recipient",
    "Service", "Via", "ViewEvent",
]
