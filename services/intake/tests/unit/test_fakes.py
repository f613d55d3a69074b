"""The in-memory fakes pass the same contracts as the MongoDB adapters and the real key-encryption keys."""
from services.intake.application.keys import ClientKeys
from services.intake.application.memory import (
    InMemoryKeyStore,
    InMemoryKeyWrapper,
    InMemoryQuestionReferrals,
    InMemoryQuestionViews,
)
from services.intake.tests.port_contracts import (
    client_keys_contract,
    key_store_contract,
    key_wrapper_contract,
    question_referrals_contract,
    question_views_contract,
)
from services.plumbing.keyring import Keyring


async def test_in_memory_key_store() -> None:
    store = InMemoryKeyStore()

    async def plant(client_id: str, key: bytes) -> None:
        store.keys[client_id] = key
    await key_store_contract(store, plant)


async def test_in_memory_key_wrapper() -> None:
    await key_wrapper_contract(InMemoryKeyWrapper(), InMemoryKeyWrapper(Keyring({})))


async def test_client_keys_over_the_fakes() -> None:
    await client_keys_contract(ClientKeys(InMemoryKeyStore(), InMemoryKeyWrapper()))


async def test_in_memory_question_views() -> None:
    await question_views_contract(InMemoryQuestionViews())


async def test_in_memory_question_referrals() -> None:
    await question_referrals_contract(InMemoryQuestionReferrals())
