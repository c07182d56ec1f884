"""``Changes.turned``: the event watcher and retention walk only the rows whose phase or word
may have turned, not every row that moved. These tests fail if a transition is missed because
a path that changes a row's phase or word did not put it in ``turned``: the watcher fed each
poll's changes must report exactly what a watcher looking at every row reports. Against the
simulator over real HTTP, on its fake clock, with an outage (unconfirmed rows) and pipeline
jobs (read one by one) on the way.
"""

from __future__ import annotations

from cfdash.config.schema import JobEntry
from cfdash.demo import demo_settings
from cfdash.engine.events import TransitionWatcher
from cfdash.engine.session import build_engine
from cfdash.engine.tracking import Changes, JobKey
from cfdash.sim import Fault, FaultKind

KEY = JobKey("production", "install", 1)
OTHER = JobKey("production", "install", 2)


def asid_of(served, name: str) -> int:
    return next(acc.asid for acc in served.sim.accounts.values() if acc.name == name)


async def test_the_watcher_fed_each_polls_changes_misses_no_transition(served):
    settings = demo_settings(served.base_url, pipeline=True)
    production = settings.accounts["production"]  # and a diff that is not found
    jobs = (*production.jobs, JobEntry(id=999_999, stage="diff"))
    accounts = {**settings.accounts, "production": production.model_copy(update={"jobs": jobs})}
    settings = settings.model_copy(update={"accounts": accounts})
    engine = build_engine(settings, clock=served.clock)
    told, everything = TransitionWatcher(), TransitionWatcher()
    seen, reference = [], []
    moved_only = 0
    try:
        await engine.poll_all()
        told.prime(engine.tracker)
        everything.prime(engine.tracker)
        assert any(job.stage != "install" for job in engine.tracker.jobs.values())
        outage = None
        for second in range(1, 241):
            served.clock.advance(1)
            if second == 60:  # a minute of HTTP 500s for one account: its rows unconfirmed
                outage = served.sim.faults.add(
                    Fault(FaultKind.HTTP_500, endpoint="status", asid=asid_of(served, "staging"))
                )
            if second == 120 and outage is not None:
                served.sim.faults.remove(outage.id)
            for event in await engine.poll_all():
                changes = event.changes
                assert changes.turned is not None  # every poll knows which rows turned
                assert changes.turned <= changes.added | changes.changed
                moved_only += len(changes.changed - changes.turned)
                seen += told.look(engine.tracker, changes, served.clock())
                reference += everything.look(engine.tracker, None, served.clock())
    finally:
        await engine.aclose()
    key = lambda t: (t.key, t.from_word, t.to_word)  # noqa: E731
    assert sorted(seen, key=key) == sorted(reference, key=key)
    assert len(reference) >= 5  # jobs did change state
    assert moved_only > len(reference)  # and most changed rows only moved


def test_a_changes_without_turned_counts_every_added_and_changed_key_as_turned():
    """A ``Changes`` built by hand (no ``turned``) is walked whole, so nothing is missed."""
    changes = Changes(added={KEY}, changed={OTHER})
    assert changes.turned_keys() == {KEY, OTHER}
    known = Changes(changed={KEY}, turned=set())
    known.update(changes)
    assert known.turned == {KEY, OTHER}
    empty = Changes()
    empty.update(Changes(changed={KEY}, turned=set()))
    assert empty.turned == set() and empty.changed == {KEY}


def test_retired_rows_leave_turned_too():
    changes = Changes(changed={KEY, OTHER}, turned={KEY})
    changes.drop({KEY})
    assert changes.turned == set() and changes.changed == {OTHER} and changes.removed == {KEY}
