"""The MongoDB adapters pass the same contracts as the in-memory fakes (the key store's: test_keys.py)."""
import pytest

from services.intake.adapters.mongo import MongoQuestionReferrals, MongoQuestionViews
from services.intake.tests.port_contracts import question_referrals_contract, question_views_contract

pytestmark = pytest.mark.integration


async def test_mongo_question_views(mongo, settings) -> None:
    views = MongoQuestionViews(mongo, settings.database("intake"))
    await views.create_indexes()
    await question_views_contract(views)


async def test_mongo_question_referrals(mongo, settings) -> None:
    await question_referrals_contract(MongoQuestionReferrals(mongo, settings.database("intake")))
