"""The main screen's panels — releases and the event feed — opened and closed (the wall is
a screen of its own, :mod:`cfdash.tui.screens.wall`).

Each panel is mounted below the header when first asked for (most sessions never open one,
and composing them all would delay the first frame) and follows the tracker feed itself.
What the screen needs from here is small: toggle one, say whether one is open, and close
the open one, which is what ``esc`` does first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from textual.screen import Screen
from textual.widget import Widget

from cfdash.tui.feed import TrackerFeed
from cfdash.tui.screens.events import EventFeedView

if TYPE_CHECKING:
    from cfdash.tui.widgets.release_panel import ReleasePanel

__all__ = ["Panels"]

PanelT = TypeVar("PanelT", bound=Widget)


class Panels:
    """Opens, closes and finds the panels of ``host`` (the main screen)."""

    def __init__(
        self,
        host: Screen[None],
        header: Widget,
        back: Widget,
        feed: TrackerFeed,
        clock: Callable[[], float],
        events: EventFeedView,
    ) -> None:
        self.host = host
        self.header = header
        #: Where the focus goes when a panel closes (the table).
        self.back = back
        self.feed = feed
        self.clock = clock
        self.events = events

    async def _mount(self, kind: type[PanelT], make: Callable[[], PanelT]) -> PanelT:
        """The panel of ``kind``, mounted below the header when first asked for."""
        found = self.host.query(kind)
        if found:
            return found.first()
        panel = make()
        await self.host.mount(panel, after=self.header)
        return panel

    @property
    def releases(self) -> ReleasePanel:
        from cfdash.tui.widgets.release_panel import ReleasePanel

        return self.host.query_one(ReleasePanel)

    def _open_releases(self) -> ReleasePanel | None:
        from cfdash.tui.widgets.release_panel import ReleasePanel

        found = self.host.query(ReleasePanel)
        return found.first() if found and found.first().display else None

    async def toggle_releases(self) -> None:
        """Show the releases and go to them; from the panel, hide it again."""
        from cfdash.tui.widgets.release_panel import ReleasePanel

        panel = await self._mount(
            ReleasePanel, lambda: ReleasePanel(self.clock, feed=self.feed, id="releases")
        )
        if panel.display and panel.has_focus:
            self.close()
            return
        panel.show()
        panel.focus()

    @property
    def open(self) -> bool:
        """A panel is open that ``esc`` would close (the releases, or the feed beside the
        table)."""
        return self._open_releases() is not None or self.events.open

    def close(self) -> bool:
        """Close the open panel, if any; True if one was."""
        releases = self._open_releases()
        if releases is not None:
            releases.display = False
            self.back.focus()
            return True
        return self.events.close_side()
