from .activity import Interaction, Task
from .billing import AgencyLegalDetails, DocumentCounter
from .company import Client, Contact, Tag
from .custom import CustomField, SavedView, SavedViewDefault
from .deals import Deal, Invoice
from .files import ClientFile, ImportFile
from .history import ClientOwnerChange, ClientStatusChange, DealStageChange
from .kam import AccountObjective, AccountPlan
from .onboarding import InteractionAgreement, OnboardingPlan, OnboardingStep, OnboardingTemplateStep
from .pipelines import Pipeline, PipelineStage

__all__ = [
    "AccountObjective", "AccountPlan", "AgencyLegalDetails", "Client", "ClientFile", "ClientOwnerChange",
    "ClientStatusChange", "Contact", "CustomField", "SavedView", "SavedViewDefault", "Deal", "DealStageChange",
    "DocumentCounter", "ImportFile", "Interaction", "InteractionAgreement", "Invoice", "OnboardingPlan", "OnboardingStep",
    "OnboardingTemplateStep", "Pipeline", "PipelineStage", "Tag", "Task",
]
