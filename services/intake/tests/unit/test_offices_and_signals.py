"""Offices with their bridge workers' languages, and signals to policy."""
import pytest
from pydantic import ValidationError

from services.intake.application import queries
from services.intake.domain.errors import OfficeRuleViolated, Unknown
from services.intake.tests.helpers import TENANT, Desk, office, signal

HUIS = "huis-van-de-kortrijkzaan"


@pytest.fixture
def desk() -> Desk:
    return Desk()


async def test_an_office_knows_its_bridge_workers_and_their_languages(desk: Desk) -> None:
    await desk.run(office.OpenOffice, office_id=HUIS, name="Huis van de Kortrijkzaan")
    await desk.run(office.AddBridgeWorker, office_id=HUIS, staff_id="s-1", languages=("ara", "nl"))
    await desk.run(office.AddBridgeWorker, office_id=HUIS, staff_id="s-2", languages=("ti",))
    await desk.run(office.ChangeBridgeWorkerLanguages, office_id=HUIS, staff_id="s-2", languages=("ti", "am"))
    state = await queries.get_office(office.GetOffice(tenant=TENANT, office_id=HUIS), desk.deps)
    assert state.name == "Huis van de Kortrijkzaan"
    assert state.workers == {"s-1": ("ar", "nl"), "s-2": ("ti", "am")}


async def test_every_change_of_the_workers_is_committed_with_the_offices_language_tally(desk: Desk) -> None:
    await desk.run(office.OpenOffice, office_id=HUIS, name="Huis van de Kortrijkzaan")
    await desk.run(office.AddBridgeWorker, office_id=HUIS, staff_id="s-1", languages=("ar", "nl"))
    await desk.run(office.AddBridgeWorker, office_id=HUIS, staff_id="s-2", languages=("nl", "ti"))
    await desk.run(office.ChangeBridgeWorkerLanguages, office_id=HUIS, staff_id="s-1", languages=("nl", "fr"))
    stream = await desk.deps.store.load(office.stream_of(TENANT, HUIS))
    assert [e.type for e in stream] == ["OfficeOpened", "BridgeWorkerJoined", "OfficeLanguagesCounted",
                                        "BridgeWorkerJoined", "OfficeLanguagesCounted",
                                        "BridgeWorkerLanguagesChanged", "OfficeLanguagesCounted"]
    tallies = [e.payload for e in stream if e.type == "OfficeLanguagesCounted"]
    assert [t["languages"] for t in tallies] == [{"ar": 1, "nl": 1}, {"ar": 1, "nl": 2, "ti": 1},
                                                 {"fr": 1, "nl": 2, "ti": 1}]  # Arabic left with s-1's change
    assert all(set(t) == {"office_id", "languages"} and t["office_id"] == HUIS for t in tallies)  # never who
    commits = {e.causation_id for e in stream[1:3]}, {e.causation_id for e in stream[5:7]}
    assert all(len(c) == 1 for c in commits)  # each tally in the commit of the change it counts


async def test_office_rules(desk: Desk) -> None:
    with pytest.raises(Unknown, match="^office_id: office 'huis-van-de-kortrijkzaan' does not exist$"):
        await desk.run(office.AddBridgeWorker, office_id=HUIS, staff_id="s-1", languages=("nl",))
    await desk.run(office.OpenOffice, office_id=HUIS, name="Huis")
    with pytest.raises(OfficeRuleViolated, match="already open"):
        await desk.run(office.OpenOffice, office_id=HUIS, name="Huis")
    await desk.run(office.AddBridgeWorker, office_id=HUIS, staff_id="s-1", languages=("nl",))
    with pytest.raises(OfficeRuleViolated, match="staff_id: s-1 already works"):
        await desk.run(office.AddBridgeWorker, office_id=HUIS, staff_id="s-1", languages=("fr",))
    with pytest.raises(Unknown, match="^staff_id: bridge worker 's-9' does not exist at office"):
        await desk.run(office.ChangeBridgeWorkerLanguages, office_id=HUIS, staff_id="s-9", languages=("fr",))
    with pytest.raises(OfficeRuleViolated, match="languages: .*exactly these"):
        await desk.run(office.ChangeBridgeWorkerLanguages, office_id=HUIS, staff_id="s-1", languages=("nld",))


async def test_offices_of_two_municipalities_may_share_an_id(desk: Desk) -> None:
    await desk.run(office.OpenOffice, office_id="onthaal", name="Onthaal Kortrijk")
    await Desk(desk.deps, tenant="brugge").run(office.OpenOffice, office_id="onthaal", name="Onthaal Brugge")
    state = await queries.get_office(office.GetOffice(tenant="brugge", office_id="onthaal"), desk.deps)
    assert state.name == "Onthaal Brugge"


async def test_a_signal_is_reported_as_one_event(desk: Desk) -> None:
    await desk.office(HUIS)
    result = await desk.run(signal.ReportSignal, office_id=HUIS, themes=("housing",), barriers=("waiting-list",),
                            services=("sociaal-verhuurkantoor",), text="Wachtlijst van 4 jaar voor sociale woning")
    [event] = await desk.deps.store.load(result["signal_id"])
    assert event.type == "SignalReported" and event.payload["services"] == ["sociaal-verhuurkantoor"]


def test_a_signal_names_a_theme_or_a_barrier() -> None:
    with pytest.raises(ValidationError, match="at least one theme or barrier"):
        signal.ReportSignal(command_id="cmd-00000001", tenant=TENANT, office_id=HUIS, text="iets")


async def test_a_retried_office_opening_gets_its_first_answer_not_a_refusal(desk: Desk) -> None:
    """The command that started a stream has no command marker; its retry must still be answered, not decided again
    (the office is open by then: a new opening would be refused)."""
    first = await desk.run(office.OpenOffice, office_id=HUIS, name="Huis", command_id="open-once")
    assert await desk.run(office.OpenOffice, office_id=HUIS, name="Huis", command_id="open-once") == first
    with pytest.raises(OfficeRuleViolated, match="already open"):  # another command to open it is still refused
        await desk.run(office.OpenOffice, office_id=HUIS, name="Huis")
