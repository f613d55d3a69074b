"""Every view of insights, projected by one runner from one consumer (a composite projection)."""
from __future__ import annotations

from services.insights.domain.barriers import Barriers
from services.insights.domain.language_demand import LanguageDemand
from services.insights.domain.offer_demand import OfferDemand
from services.insights.domain.office_languages import OfficeLanguages
from services.insights.domain.questions_per_theme import QuestionsPerTheme
from services.insights.domain.self_reliance import SelfReliance
from services.insights.domain.service_access import ServiceAccess
from services.insights.domain.service_languages import ServiceLanguages
from services.insights.domain.signals import Signals
from services.insights.domain.unmet_needs import UnmetNeeds
from services.insights.domain.workload import WorkloadByChannel
from services.plumbing.projection import Composite


def all_views() -> Composite:
    return Composite(QuestionsPerTheme(), WorkloadByChannel(), LanguageDemand(), UnmetNeeds(), ServiceAccess(),
                     ServiceLanguages(), OfferDemand(), SelfReliance(), Barriers(), Signals(),
                     OfficeLanguages())
