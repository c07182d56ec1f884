"""The main screen's panels and exports: ops wall summary, releases, CSV export (a mixin)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cfdash.engine.releases import rollup
from cfdash.export import export_csv

if TYPE_CHECKING:
    from cfdash.tui.screens.main import MainScreen
    from cfdash.tui.widgets.release_panel import ReleasePanel
    from cfdash.tui.widgets.wall import WallSummary

__all__ = ["PanelActions"]


class PanelActions:
    """Wall summary (``w``), releases (``v``) and export (``e``) for ``MainScreen``.

    The panels are mounted the first time they are asked for, not at start-up: most sessions
    never open them, and composing them would delay the first frame.
    """

    @property
    def wall(self: MainScreen) -> WallSummary:
        return self.query_one("WallSummary")  # type: ignore[return-value]

    @property
    def releases(self: MainScreen) -> ReleasePanel:
        return self.query_one("ReleasePanel")  # type: ignore[return-value]

    async def action_releases(self: MainScreen) -> None:
        """``v``: show the releases and go to them; from the panel, hide it again."""
        if not self.query("ReleasePanel"):
            from cfdash.tui.widgets.release_panel import ReleasePanel

            await self.mount(ReleasePanel(self.clock, id="releases"), after=self.header)
        panel = self.releases
        if panel.display and panel.has_focus:
            panel.display = False
            self.table.focus()
            return
        panel.display = True
        self._update_releases()
        panel.focus()

    def _update_releases(self: MainScreen) -> None:
        found = self.query("ReleasePanel")
        if found and found.first().display:
            found.first().update_releases(rollup(self.engine.tracker.jobs.values()))

    def on_release_panel_chosen(self: MainScreen, event: ReleasePanel.Chosen) -> None:
        event.stop()
        if event.no_release:
            self.notify("Jobs without an image version cannot be filtered apart.", timeout=4)
            return
        self.table.set_filter(release=event.imageversionid)
        shown = "all releases" if event.imageversionid is None else f"v{event.imageversionid}"
        self.notify(f"Showing {shown}.", timeout=2)
        self.table.focus()

    def on_release_panel_closed(self: MainScreen, event: ReleasePanel.Closed) -> None:
        event.stop()
        self.releases.display = False
        self.table.focus()

    async def action_wall(self: MainScreen) -> None:
        if not self.query("WallSummary"):
            from cfdash.tui.widgets.wall import WallSummary

            await self.mount(WallSummary(), after=self.header)
        self.wall.toggle(self._update_wall)

    def _update_wall(self: MainScreen) -> None:
        found = self.query("WallSummary")
        if found and found.first().has_class("visible"):
            found.first().update_counts(
                self.engine.tracker.jobs.values(), self._stalled_count(), self.engine.accounts
            )

    def action_export(self: MainScreen) -> None:
        """Write the rows in view, as filtered and sorted, to a CSV file and say where."""
        now = self.clock()
        jobs = [self.engine.tracker.jobs[key] for key in self.table.row_keys]
        try:
            path = export_csv(jobs, self.export_path(now), now, raw=self.export_raw)
        except OSError as error:
            self.notify(f"Could not export: {error.strerror or error}", severity="error")
            return
        self.notify(f"Exported {len(jobs)} jobs to {path}", title="Export", timeout=15)
