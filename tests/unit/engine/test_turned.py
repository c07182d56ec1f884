"""``Changes.turned``: the event watcher, retention and the census's counts walk only the rows
whose standing (phase, word, release, unconfirmed flag) may have turned, not every row that
moved. These tests fail if a transition or a count is missed because a path that changes a
row's standing did not put it in ``turned``: the watcher fed each poll's changes must report
exactly what a watcher looking at every row reports, and the census fed them must count as a
census of every row does. Against the simulator over real HTTP, on its fake clock, with an
outage (unconfirmed rows) and pipeline jobs (read one by one) on the way.
"""

from __future__ import annotations

from cfdash.config.schema import JobEntry
from cfdash.demo import demo_settings
from cfdash.engine.events import TransitionWatcher
from cfdash.engine.releases import Census
from cfdash.engine.session import build_engine
from cfdash.engine.tracking import Changes, JobKey
from cfdash.sim import Fault, FaultKind

KEY = JobKey("production", "install", 1)
OTHER = JobKey("production", "install", 2)


def asid_of(served, name: str) -> int:
    return next(acc.asid for acc in served.sim.accounts.values() if acc.name == name)


def recount(census: Census, jobs, events) -> None:
    """What the dashboard's feed does with a round of polls: every changed row waits for its
    sums, and only the turned, added and removed ones are counted again."""
    changes = Changes(turned=set())
    for event in events:
        changes.update(event.changes)
    every = changes.added | changes.changed | changes.removed
    census.update(jobs, every, changes.turned_keys() | changes.removed)


async def test_the_watcher_and_census_fed_each_polls_changes_miss_nothing(served):
    settings = demo_settings(served.base_url, pipeline=True)
    production = settings.accounts["production"]  # and a diff that is not found
    jobs = (*production.jobs, JobEntry(id=999_999, stage="diff"))
    accounts = {**settings.accounts, "production": production.model_copy(update={"jobs": jobs})}
    settings = settings.model_copy(update={"accounts": accounts})
    engine = build_engine(settings, clock=served.clock)
    told, everything = TransitionWatcher(), TransitionWatcher()
    seen, reference = [], []
    moved_only = unconfirmed = 0
    try:
        census = Census(engine.tracker.jobs)  # before the first read: rows not listed yet
        recount(census, engine.tracker.jobs, await engine.poll_all())
        assert census.phases["notfound"] == 1  # the diff nobody has
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
            events = await engine.poll_all()
            for event in events:
                changes = event.changes
                assert changes.turned is not None  # every poll knows which rows turned
                assert changes.turned <= changes.added | changes.changed
                moved_only += len(changes.changed - changes.turned)
                seen += told.look(engine.tracker, changes, served.clock())
                reference += everything.look(engine.tracker, None, served.clock())
            recount(census, engine.tracker.jobs, events)
            counted = Census(engine.tracker.jobs)  # every row counted afresh
            assert census.phases == counted.phases
            assert census.accounts == counted.accounts
            assert census.unconfirmed == counted.unconfirmed
            assert census.releases() == counted.releases()
            unconfirmed = max(unconfirmed, sum(census.unconfirmed.values()))
    finally:
        await engine.aclose()
    key = lambda t: (t.key, t.from_word, t.to_word)  # noqa: E731
    assert sorted(seen, key=key) == sorted(reference, key=key)
    assert len(reference) >= 5  # jobs did change state
    assert moved_only > len(reference)  # and most changed rows only moved
    assert unconfirmed > 0  # the outage was seen


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
