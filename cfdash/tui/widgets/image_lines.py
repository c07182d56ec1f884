"""Fleet readiness on the main screen: one line per watched image, under the header.

Each line names the image (id and label), draws a bar of its machines — completed ``█``,
failed ``▒`` (machines that were disabled), pending ``░``, so no part is told by colour alone —
gives the three counts out of the total, and says ``ready`` when nothing is pending. An image
that could not be read keeps its last counts and says why beside them; one whose account is in
trouble says "unconfirmed" and the account's reason. With no image watched the widget takes no
room at all.

It redraws when the engine has read an account's images (:class:`~cfdash.engine.images.
ImagePoller` tells it, through a message to itself) and when the tracker feed signals, since an
account's health can change with a poll of its install list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from cfdash.api.images import MachineCounts
from cfdash.engine.engine import Engine
from cfdash.engine.images import ImageLine, ImagesRead
from cfdash.textfmt import age
from cfdash.tui.feed import TrackerChanged, TrackerFeed
from cfdash.tui.safety import contained

__all__ = ["BAR_GLYPHS", "ImageLines", "bar_cells", "readiness_bar"]

#: completed, failed (disabled), pending.
BAR_GLYPHS = ("█", "▒", "░")
BAR_WIDTH = 24
#: Below this many columns an image line takes its compact form.
NARROW = 110
#: The state words and their symbols (the same words as ``cfdash status``).
_SYMBOLS = {"ready": "✔", "rolling out": "▶", "error": "✖", "not read": "·"}


def bar_cells(counts: Sequence[int], width: int) -> list[int]:
    """Cells for each count in a bar ``width`` wide, summing to ``width`` (to 0 if all are 0).

    Largest remainders, and every count above zero gets at least one cell: one pending
    machine out of a thousand still keeps the bar from looking finished.
    """
    total = sum(counts)
    if total <= 0 or width <= 0:
        return [0] * len(counts)
    exact = [count * width / total for count in counts]
    cells = [int(share) for share in exact]
    for index, count in enumerate(counts):
        if count and not cells[index] and width >= sum(1 for c in counts if c):
            cells[index] = 1
    order = sorted(range(len(counts)), key=lambda i: exact[i] - cells[i], reverse=True)
    while sum(cells) < width:
        for index in order:
            if counts[index] and sum(cells) < width:
                cells[index] += 1
    while sum(cells) > width:
        largest = max(range(len(cells)), key=lambda i: cells[i])
        cells[largest] -= 1
    return cells


def readiness_bar(counts: MachineCounts, width: int, styles: Sequence[str] = ("", "", "")) -> Text:
    """The bar of one image, fleet or region: completed, failed, pending, left to right."""
    numbers = (counts.completed, counts.failed, counts.pending)
    cells = bar_cells(numbers, width)
    bar = Text()
    if not sum(cells):
        bar.append(BAR_GLYPHS[2] * width, style=styles[2])
        return bar
    for glyph, cell, style in zip(BAR_GLYPHS, cells, styles, strict=True):
        bar.append(glyph * cell, style=style)
    return bar


class ImageLines(Static):
    """One line per watched image; hidden when none is watched."""

    @dataclass
    class Read(Message):
        """The engine read one account's images (sent by the engine's listener to the widget)."""

        account: str

    DEFAULT_CSS = """
    ImageLines {
        height: auto;
        padding: 0 1;
        text-wrap: nowrap;  /* one line per image at any width: cut with … rather than wrap */
        text-overflow: ellipsis;
        background: $panel;
    }
    """

    def __init__(self, engine: Engine, feed: TrackerFeed, clock: Callable[[], float]) -> None:
        super().__init__(id="images")
        self.engine = engine
        self.feed = feed
        self.clock = clock
        self._unsubscribe: Callable[[], None] | None = None
        self._last: Text | None = None

    @property
    def lines(self) -> list[ImageLine]:
        poller = self.engine.images
        return poller.lines if poller is not None else []

    def on_mount(self) -> None:
        if not self.lines:
            self.display = False
            return
        assert self.engine.images is not None
        self._unsubscribe = self.engine.images.subscribe(self._heard)
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.repaint(force=True))
        self.feed.subscribe(self, self._tracker_changed)

    def on_resize(self) -> None:
        self.repaint()  # the compact form depends on the width

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _heard(self, read: ImagesRead) -> None:
        """Engine listener: only a message here; the handler draws."""
        self.post_message(self.Read(read.account))

    @contained
    def on_image_lines_read(self, message: Read) -> None:
        message.stop()
        self.repaint()

    def _tracker_changed(self, change: TrackerChanged) -> None:
        self.repaint()

    def _style(self, name: str, *, bold: bool = False) -> str:
        colour = self.app.theme_variables.get(name, "")
        return f"{'bold ' if bold else ''}{colour}".strip()

    def repaint(self, *, force: bool = False) -> None:
        """Rebuild the lines; repaint only when the words changed (or the theme did)."""
        text = self.build()
        if force or self._last is None or text.plain != self._last.plain:
            self._last = text
            self.update(text)

    def build(self) -> Text:
        lines = self.lines
        several = len({line.account for line in lines}) > 1
        names = [self._label_of(line, several) for line in lines]
        width = max((len(name) for name in names), default=0)
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, (line, name) in enumerate(zip(lines, names, strict=True)):
            if index:
                text.append("\n")
            self._line(text, line, name.ljust(width))
            if not index and (key := self._breakdown_key()):
                text.append(f"   {key} by fleet and region", style="dim")
        return text

    def _breakdown_key(self) -> str | None:
        """The key that opens the breakdown now (after the user's keymap), for a hint."""
        if not self.is_attached:
            return None
        for active in self.screen.active_bindings.values():
            if active.binding.action == "fleets" and active.enabled:
                return self.app.get_key_display(active.binding)
        return None

    @staticmethod
    def _label_of(line: ImageLine, several: bool) -> str:
        return f"{line.account} · {line.name}" if several else line.name

    def _line(self, text: Text, line: ImageLine, name: str) -> None:
        state = line.state
        ready = state == "ready"
        text.append(f"{_SYMBOLS[state]} ", style=self._style("success") if ready else "")
        text.append(name, style="bold")
        text.append("  ")
        status = line.status
        if status is None:
            if line.error is not None:
                text.append(f"✖ not read: {line.problem}", style=self._style("error"))
            else:
                text.append(self._waiting(line), style="dim")
            return
        styles = (self._style("success"), self._style("error"), "dim")
        # In a split pane the words go before the bar does: "ready" must stay on screen.
        narrow = 0 < self.size.width < NARROW
        text.append_text(readiness_bar(status, BAR_WIDTH // 3 if narrow else BAR_WIDTH, styles))
        digits = len(str(status.total))
        gap = " " if narrow else "  "
        text.append(f"{gap}{status.completed:>{digits}} {'done' if narrow else 'completed'}{gap}")
        text.append(
            f"{status.failed:>{digits}} failed",
            style=self._style("error") if status.failed else "",
        )
        text.append(f"{gap}{status.pending:>{digits}} pending{gap}of {status.total}{gap}")
        if ready:
            text.append("ready", style=self._style("success", bold=True))
        else:
            text.append("rolling out")
        if line.error is not None:
            seen = age(line.read_at, self.clock())
            text.append(f"  ✖ {line.problem} (counts from {seen})", style=self._style("error"))
        elif not line.confirmed:
            text.append(f"  ? unconfirmed: {self._account_trouble(line)}", style="dim")

    def _waiting(self, line: ImageLine) -> str:
        if self.engine.health(line.account).state in ("ok", "waiting"):
            return "… waiting for the first read"
        return f"? not read: {self._account_trouble(line)}"

    def _account_trouble(self, line: ImageLine) -> str:
        health = self.engine.health(line.account)
        if health.state in ("ok", "waiting"):
            return f"{line.account} not read yet"
        return f"{line.account} {health.summary}"
