"""One summary a second: grouping, naming few failures and counting many, bell once; and the
toast rules (at most three, a failure summary that stays, short status replies)."""

from __future__ import annotations

import pytest
from textual.notifications import Notification

from cfdash.engine.events import Transition
from cfdash.tui.alerts import Alerts
from cfdash.tui.toasts import FAILURE_STAYS, STATUS_TIMEOUT, Toaster

T0 = 1_767_225_600.0


def finished(jobid: int, account: str = "production") -> Transition:
    return Transition(T0, account, jobid, "Running", "Finished", "running", "finished", None, None)


def failed(jobid: int, error: str = "disk full", account: str = "production") -> Transition:
    return Transition(T0, account, jobid, "Running", "Failed", "running", "failed", 45, error)


def stalled(jobid: int) -> Transition:
    return Transition(
        T0, "staging", jobid, "Running", "Running", "running", "running", 20, None,
        stall="no progress for 10m",
    )  # fmt: skip


class Sink:
    """Stands in for the app: what was notified, rung and written."""

    def __init__(self) -> None:
        self.toasts: list[tuple[str, dict]] = []
        self.bells = 0
        self.written: list[str] = []

    def alerts(self, methods=None, releases=None) -> Alerts:
        releases = releases or {}
        return Alerts(
            lambda text, **kw: self.toasts.append((text, kw)),
            self.ring,
            self.written.append,
            methods if methods is not None else {"production": ["bell"], "staging": ["bell"]},
            release_of=lambda key: releases.get(key),
        )

    def ring(self) -> None:
        self.bells += 1


def test_one_finished_job_is_one_toast_naming_it_with_its_release():
    sink = Sink()
    alerts = sink.alerts(releases={("production", "install", 1): 4243})
    alerts.add([finished(1)])
    alerts.flush(T0)
    [(text, options)] = sink.toasts
    assert text == "1 finished · v4243\n✔ production/1: Running → Finished"
    assert options["title"] == "Finished" and options["kind"] == "summary"
    assert options["severity"] == "information" and options["markup"] is False
    assert "Completed" not in text and "%" not in text  # one word; no percentage once finished
    assert sink.bells == 1


def test_three_finished_and_failures_in_one_second_are_named_in_one_toast():
    sink = Sink()
    alerts = sink.alerts(releases={("production", "install", n): 4243 for n in range(10)})
    alerts.add([finished(1), failed(2), finished(3), stalled(9), finished(4)])
    alerts.add([failed(5, "image locked by diffid: 218595")])  # the same second, another poll
    alerts.flush(T0)
    [(text, options)] = sink.toasts
    lines = text.splitlines()
    assert lines[0] == "3 finished, 2 failed, 1 stalled · v4243"
    assert lines[1:3] == [
        "✖ production/2: Running → Failed (45%): disk full",
        "✖ production/5: Running → Failed (45%): image locked by diffid: 218595",
    ]
    assert "⚠ staging/9: stalled at 20%: no progress for 10m" in lines
    assert sum(line.startswith("✔ ") for line in lines) == 3
    assert options["kind"] == "failure" and options["severity"] == "error"
    assert sink.bells == 1  # once per summary, not per job


def test_fifty_finished_and_five_failed_are_counted_not_named():
    sink = Sink()
    releases = {("production", "install", n): 4242 + n % 2 for n in range(100)}
    alerts = sink.alerts(releases=releases)
    alerts.add([finished(n) for n in range(50)] + [failed(50 + n) for n in range(5)])
    alerts.flush(T0)
    [(text, options)] = sink.toasts
    assert text.splitlines()[0] == "50 finished, 5 failed · v4242, v4243"
    assert not any(line.startswith(("✖", "✔")) for line in text.splitlines())
    assert "event feed" in text
    assert options["kind"] == "failure"
    assert sink.bells == 1


def test_at_most_one_summary_a_second_and_nothing_when_nothing_happened():
    sink = Sink()
    alerts = sink.alerts()
    assert alerts.flush(T0) is None
    alerts.add([finished(1)])
    assert alerts.flush(T0) is not None
    alerts.add([finished(2)])
    assert alerts.flush(T0 + 0.5) is None  # gathered for the next second
    alerts.add([failed(3)])
    summary = alerts.flush(T0 + 1.0)
    assert summary is not None and len(summary.finished) == 1 and len(summary.failed) == 1
    assert len(sink.toasts) == 2 and alerts.sent == 2


def test_not_notable_transitions_are_not_gathered():
    sink = Sink()
    alerts = sink.alerts()
    queued = Transition(T0, "production", 1, "Pending", "Queued", "pending", "queued", 0, None)
    assert alerts.add([queued]) == 0
    assert alerts.flush(T0) is None and sink.bells == 0


def test_bell_and_desktop_follow_the_accounts_in_the_summary():
    sink = Sink()
    alerts = sink.alerts(methods={"production": ["desktop"], "staging": []})
    alerts.add([finished(1), failed(2)])
    alerts.flush(T0)
    assert sink.bells == 0 and len(sink.written) == 1
    assert "1 finished, 1 failed" in sink.written[0]
    alerts.add([stalled(3)])  # staging asks for nothing
    alerts.flush(T0 + 1)
    assert len(sink.toasts) == 2 and len(sink.written) == 1


# -- the toast rules -------------------------------------------------------------------------


class Screen:
    """What Textual would show: notifications put up and not yet taken down."""

    def __init__(self) -> None:
        self.up: list[Notification] = []

    def toaster(self) -> Toaster:
        return Toaster(self.up.append, self.up.remove, lambda n: n in self.up)


def test_never_more_than_three_and_the_oldest_goes_first():
    screen = Screen()
    toaster = screen.toaster()
    for n in range(5):
        toaster.notify(f"notice {n}", timeout=10)
    assert [n.message for n in screen.up] == ["notice 2", "notice 3", "notice 4"]
    assert toaster.shown == screen.up


def test_a_failure_summary_stays_until_the_next_one_replaces_it():
    screen = Screen()
    toaster = screen.toaster()
    first = toaster.notify("2 failed", title="Failed", severity="error", kind="failure")
    assert first.timeout == FAILURE_STAYS
    for n in range(6):  # status replies and summaries keep coming
        toaster.notify(f"Sorted by {n}.", timeout=2)
        toaster.notify(f"{n} finished", kind="summary", timeout=10)
        assert len(screen.up) <= 3 and first in screen.up
    second = toaster.notify("1 failed", title="Failed", severity="error", kind="failure")
    assert first not in screen.up and second in screen.up and len(screen.up) == 3
    assert toaster.dismiss_failure() and second not in screen.up
    assert not toaster.dismiss_failure()


@pytest.mark.parametrize("timeout", [2, 3])
def test_short_information_toasts_are_status_replies_of_two_seconds(timeout):
    toaster = Screen().toaster()
    assert toaster.notify("Sorted by state.", timeout=timeout).timeout == STATUS_TIMEOUT
    assert toaster.notify("Not queued", severity="warning", timeout=2).timeout == 2  # a warning


def test_the_same_toast_twice_is_one_toast():
    screen = Screen()
    toaster = screen.toaster()
    toaster.notify("production/1: Queued", title="Queue", timeout=8)
    toaster.notify("other", timeout=8)
    toaster.notify("production/1: Queued", title="Queue", timeout=8)
    assert [n.message for n in screen.up] == ["other", "production/1: Queued"]


def test_a_toast_clicked_away_frees_its_place():
    screen = Screen()
    toaster = screen.toaster()
    toasts = [toaster.notify(f"n{n}", timeout=10) for n in range(3)]
    screen.up.remove(toasts[1])  # a click: Textual took it down itself
    toaster.notify("n3", timeout=10)
    assert [n.message for n in screen.up] == ["n0", "n2", "n3"]  # nothing else pushed out


def test_a_summary_replaces_the_last_of_its_kind_in_its_place_when_it_can():
    screen = Screen()
    swapped: list[tuple[str, str]] = []

    def replace(old: Notification, new: Notification) -> bool:
        if old not in screen.up:
            return False
        screen.up[screen.up.index(old)] = new
        swapped.append((old.message, new.message))
        return True

    toaster = Toaster(screen.up.append, screen.up.remove, lambda n: n in screen.up, 3, replace)
    toaster.notify("1 failed", title="Failed", severity="error", kind="failure")
    toaster.notify("3 finished", kind="summary", timeout=10)
    toaster.notify("Sorted by state.", timeout=2)
    toaster.notify("5 finished", kind="summary", timeout=10)  # in the place of "3 finished"
    toaster.notify("2 failed", title="Failed", severity="error", kind="failure")
    assert [n.message for n in screen.up] == ["2 failed", "5 finished", "Sorted by state."]
    assert swapped == [("3 finished", "5 finished"), ("1 failed", "2 failed")]
    assert toaster.shown == screen.up and toaster.failure is screen.up[0]


def test_without_a_place_to_replace_in_the_next_summary_still_replaces_the_last():
    screen = Screen()
    toaster = screen.toaster()
    for n in range(5):  # a rollout: one summary a second
        toaster.notify(f"{n} finished", kind="summary", timeout=10)
    toaster.notify("Sorted by state.", timeout=2)
    assert [n.message for n in screen.up] == ["4 finished", "Sorted by state."]
