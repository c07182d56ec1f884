"""Telling a person what finished, failed or stalled: one summary a second, at most.

In a rollout hundreds of jobs end within minutes. A toast per job stacked eighteen deep over
the table and laid the screen out once each, so jobs are gathered instead: every notable
transition is :meth:`Alerts.add`-ed as it is seen, and :meth:`Alerts.flush` — on the
once-a-second tick, and after a poll or a queue answer — turns what gathered into **one**
toast, at most once a second across all accounts::

    37 finished, 2 failed · v4243
    ✖ production/5551001: Running → Failed (45%): disk full
    ✖ staging/6661002: Running → Failed (80%): image locked by diffid: 218595

Failures are named when there are three or fewer, otherwise counted (so are stalls and
finished jobs); each job's own line is in the event feed. A summary naming a failure stays
until dismissed or replaced by the next one (:mod:`cfdash.tui.toasts`). The bell rings, and a
desktop notification goes out, at most once per summary, if any account in it asks for them.

Desktop notifications go through the terminal itself (OSC 9, understood by iTerm2, Windows
Terminal, kitty, WezTerm; OSC 777 for rxvt/foot/VTE), wrapped in a DCS passthrough inside
tmux, so they work over SSH on an ops box without any desktop library.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from cfdash.engine.events import Transition, notable
from cfdash.engine.tracking import JobKey
from cfdash.tui.bulk import Severity

__all__ = ["MIN_GAP", "NAMED", "Alerts", "Summary", "desktop_sequence"]

#: Seconds between two summaries, at least.
MIN_GAP = 1.0
#: A tick a hair early (timers drift) still counts as the next second.
_SLACK = 0.05
#: Up to this many jobs of a kind are named in a summary; more are counted.
NAMED = 3
#: Releases named in a summary's first line; more are counted.
_RELEASES = 3

_SYMBOL = {"finished": "✔", "failed": "✖", "stalled": "⚠"}


def _clean(text: str) -> str:
    """No control characters (an error text could otherwise end the escape early)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)[:200]


def desktop_sequence(title: str, body: str, env: Mapping[str, str] | None = None) -> str:
    """The escape sequences for a desktop notification, tmux-wrapped when inside tmux."""
    env = os.environ if env is None else env
    title, body = _clean(title), _clean(body)
    sequence = f"\x1b]9;{title}: {body}\x07\x1b]777;notify;{title};{body}\x07"
    if env.get("TMUX"):
        # tmux passes a DCS-wrapped sequence through with every ESC doubled.
        sequence = "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


@dataclass
class Summary:
    """What finished, failed and stalled since the last summary, and in which releases."""

    finished: list[Transition] = field(default_factory=list)
    failed: list[Transition] = field(default_factory=list)
    stalled: list[Transition] = field(default_factory=list)
    releases: dict[int, None] = field(default_factory=dict)  # an ordered set

    def __bool__(self) -> bool:
        return bool(self.finished or self.failed or self.stalled)

    @property
    def accounts(self) -> set[str]:
        return {t.account for t in self.finished + self.failed + self.stalled}

    @property
    def headline(self) -> str:
        """``37 finished, 2 failed, 1 stalled · v4243, v4244``."""
        counts = [
            f"{len(group)} {word}"
            for word, group in (
                ("finished", self.finished),
                ("failed", self.failed),
                ("stalled", self.stalled),
            )
            if group
        ]
        text = ", ".join(counts)
        releases = [f"v{release}" for release in self.releases]
        if releases:
            more = len(releases) - _RELEASES
            shown = ", ".join(releases[:_RELEASES]) + (f" +{more}" if more > 0 else "")
            text += f" · {shown}"
        return text

    @property
    def text(self) -> str:
        """The headline, then each failure, stall and finished job when there are few."""
        lines = [self.headline]
        for kind, group in (
            ("failed", self.failed),
            ("stalled", self.stalled),
            ("finished", self.finished),
        ):
            if len(group) <= NAMED:
                lines += [f"{_SYMBOL[kind]} {t.describe()}" for t in group]
        if len(self.failed) > NAMED:
            lines.append("Each failure is in the event feed.")
        return "\n".join(lines)

    @property
    def title(self) -> str:
        return "Failed" if self.failed else ("Stalled" if self.stalled else "Finished")

    @property
    def severity(self) -> Severity:
        return "error" if self.failed else ("warning" if self.stalled else "information")


class Alerts:
    """Gathers notable transitions and sends one summary a second, by the accounts' methods."""

    def __init__(
        self,
        notify: Callable[..., None],
        bell: Callable[[], None],
        write: Callable[[str], None],
        methods: Mapping[str, Iterable[str]],
        *,
        release_of: Callable[[JobKey], int | None] = lambda key: None,
        gap: float = MIN_GAP,
    ) -> None:
        self._notify = notify
        self._bell = bell
        self._write = write
        self._methods = {account: set(chosen) for account, chosen in methods.items()}
        self._release_of = release_of
        self.gap = gap
        self._pending = Summary()
        self._last: float | None = None
        #: Summaries sent so far (a count for tests and the benchmark).
        self.sent = 0

    @property
    def pending(self) -> Summary:
        """What the next summary will say."""
        return self._pending

    def add(self, transitions: Iterable[Transition]) -> int:
        """Gather the notable ones among ``transitions``; how many were."""
        added = 0
        pending = self._pending
        for transition in transitions:
            kind = notable(transition)
            if kind is None:
                continue
            {"finished": pending.finished, "failed": pending.failed, "stalled": pending.stalled}[
                kind
            ].append(transition)
            release = self._release_of(transition.key)
            if release is not None:
                pending.releases[release] = None
            added += 1
        return added

    def due(self, now: float) -> bool:
        """Whether a summary may go out at ``now`` (and there is something to say)."""
        if not self._pending:
            return False
        return self._last is None or now - self._last >= self.gap - _SLACK

    def flush(self, now: float) -> Summary | None:
        """Send what gathered as one summary, if a second has passed since the last one."""
        if not self.due(now):
            return None
        summary, self._pending = self._pending, Summary()
        self._last = now
        self.sent += 1
        self._notify(
            summary.text,
            title=summary.title,
            severity=summary.severity,
            timeout=10,
            markup=False,  # job errors are the service's text, not markup
            kind="failure" if summary.failed else "summary",
        )
        methods = set().union(*(self._methods.get(a, set()) for a in summary.accounts))
        if "bell" in methods:
            self._bell()
        if "desktop" in methods:
            self._write(desktop_sequence(f"cfdash: {summary.title}", summary.headline))
        return summary
