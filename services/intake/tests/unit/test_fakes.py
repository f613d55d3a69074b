"""The in-memory fakes pass the same contracts as the MongoDB adapters."""
from services.intake.application.memory import InMemoryKeyStore, InMemoryQuestionReferrals, InMemoryQuestionViews
from services.intake.tests.port_contracts import (
    key_store_contract,
    question_referrals_contract,
    question_views_contract,
)


async def test_in_memory_key_store() -> None:
    await key_store_contract(InMemoryKeyStore())


async def test_in_memory_question_views() -> None:
    await question_views_contract(InMemoryQuestionViews())


async def test_in_memory_question_referrals() -> None:
    await question_referrals_contract(InMemoryQuestionReferrals())
