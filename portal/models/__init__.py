from .nps import NpsClientPlan, NpsResponse, NpsSettings, NpsSurvey  # noqa: F401 - NPS surveys (h-nps)
