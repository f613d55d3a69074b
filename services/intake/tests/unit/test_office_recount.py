"""RecountOfficeLanguages: an admin commits an office's language tally again, for offices whose workers were recorded
before `OfficeLanguagesCounted` existed."""
import pytest

from contracts.events.intake_office import (
    BridgeWorkerJoined, BridgeWorkerLanguagesChanged, OfficeLanguagesCounted, OfficeOpened)
from services.intake.domain.errors import OfficeRuleViolated, Unknown
from services.intake.domain.office import Office, RecountOfficeLanguages, recount_languages, stream_of
from services.intake.tests.helpers import TENANT, Desk, legacy_office, office

HUIS = "huis-van-de-kortrijkzaan"
STREAM = stream_of(TENANT, HUIS)
RECOUNT = RecountOfficeLanguages(command_id="recount-1", tenant=TENANT, office_id=HUIS)
OPENED = OfficeOpened(office_id=HUIS, name="Huis van de Kortrijkzaan")


def joined(staff_id: str, *languages: str) -> BridgeWorkerJoined:
    return BridgeWorkerJoined(office_id=HUIS, staff_id=staff_id, languages=languages)


def counted(**languages: int) -> OfficeLanguagesCounted:
    return OfficeLanguagesCounted(office_id=HUIS, languages=languages)


def test_an_unknown_office_is_refused_as_the_other_office_commands_refuse_it() -> None:
    with pytest.raises(Unknown, match="office_id: office 'huis-van-de-kortrijkzaan' does not exist"):
        recount_languages(Office(STREAM), RECOUNT)


def test_a_legacy_office_gets_the_tally_of_the_workers_recorded_before_tallies_existed() -> None:
    legacy = Office.replay(STREAM, [OPENED, joined("s-1", "ar", "nl"), joined("s-2", "nl", "ti"),
                                    BridgeWorkerLanguagesChanged(office_id=HUIS, staff_id="s-1", languages=("fr",))])
    assert recount_languages(legacy, RECOUNT) == [counted(fr=1, nl=1, ti=1)]  # never who


def test_a_recount_is_refused_when_the_last_tally_committed_is_the_current_one() -> None:
    state = Office.replay(STREAM, [OPENED, joined("s-1", "ar"), counted(ar=1)])
    with pytest.raises(OfficeRuleViolated, match="office_id: the languages of office huis-van-de-kortrijkzaan are "
                                                  "counted already"):
        recount_languages(state, RECOUNT)


def test_a_tally_followed_by_a_legacy_change_is_counted_again() -> None:
    """A tally committed, then a worker change of before tallies existed: the last tally no longer holds."""
    state = Office.replay(STREAM, [OPENED, joined("s-1", "ar"), counted(ar=1), joined("s-2", "ar")])
    assert recount_languages(state, RECOUNT) == [counted(ar=2)]


def test_an_office_without_workers_gets_one_empty_tally() -> None:
    opened = Office.replay(STREAM, [OPENED])
    [empty] = recount_languages(opened, RECOUNT)
    assert empty == counted()
    with pytest.raises(OfficeRuleViolated, match="counted already"):
        recount_languages(opened.apply(empty), RECOUNT)


async def test_an_admin_recount_commits_the_tally_alone_and_its_retry_gets_the_first_answer() -> None:
    desk = Desk()
    await legacy_office(desk.deps.store, TENANT, HUIS, {"s-1": ("ar", "nl"), "s-2": ("nl",)})
    first = await desk.run(office.RecountOfficeLanguages, office_id=HUIS, command_id="recount-once")
    assert first == {"office_id": HUIS, "stream_version": 4}
    assert await desk.run(office.RecountOfficeLanguages, office_id=HUIS, command_id="recount-once") == first
    stream = await desk.deps.store.load(STREAM)
    assert [e.type for e in stream] == ["OfficeOpened", "BridgeWorkerJoined", "BridgeWorkerJoined",
                                        "OfficeLanguagesCounted"]
    assert stream[-1].payload == {"office_id": HUIS, "languages": {"ar": 1, "nl": 2}}
    with pytest.raises(OfficeRuleViolated, match="counted already"):
        await desk.run(office.RecountOfficeLanguages, office_id=HUIS)
