"""The fleet readiness breakdown: every watched image, per fleet and per region (``i``).

One table per image: each fleet with its totals, then its regions by name, each with its
completed, failed and pending machines, the total, a bar and whether it is ready. The screen
says at the top what the words mean — above all that "failed" counts machines that were
disabled, not installs that failed — and follows the engine's reads while it is open.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from cfdash.api.images import MachineCounts
from cfdash.engine.engine import Engine
from cfdash.engine.images import ImageLine, ImagesRead
from cfdash.safetext import safe_text
from cfdash.textfmt import age
from cfdash.tui.bindings import bindings_for
from cfdash.tui.safety import contained
from cfdash.tui.widgets.image_lines import ImageLines, readiness_bar

__all__ = ["MEANING", "FleetsScreen"]

#: What the counts mean, at the top of the screen (the help says it too).
MEANING = (
    "completed: has the latest version · failed: machines that were disabled (cannot install) · "
    "pending: still to install · ready: nothing pending"
)
_BAR = 16


class FleetsScreen(Screen[None]):
    """Per-fleet and per-region readiness of each watched image; live while open."""

    DEFAULT_CSS = """
    FleetsScreen #fleets-title { padding: 0 1; background: $panel; text-style: bold; }
    FleetsScreen #fleets-meaning { padding: 0 1; background: $panel; }
    FleetsScreen #fleets-body { padding: 0 1; }
    """

    BINDINGS = bindings_for("fleets")

    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        super().__init__()
        self.engine = engine
        self.clock = clock
        self._unsubscribe: Callable[[], None] | None = None

    @classmethod
    def open(cls, screen: Screen, engine: Engine, clock: Callable[[], float]) -> None:
        """Push the breakdown, or say how to watch an image when none is."""
        if engine.images is None or not len(engine.images):
            screen.notify(
                "No image is watched: list some under images = [...] in an account.", timeout=4
            )
            return
        screen.app.push_screen(cls(engine, clock))

    def compose(self) -> ComposeResult:
        yield Static("Fleet readiness — per fleet and region", id="fleets-title")
        yield Static(MEANING, id="fleets-meaning")
        with VerticalScroll():
            yield Static(self.build(), id="fleets-body")
        yield Footer()

    def on_mount(self) -> None:
        if self.engine.images is not None:
            self._unsubscribe = self.engine.images.subscribe(self._heard)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _heard(self, read: ImagesRead) -> None:
        self.post_message(ImageLines.Read(read.account))

    @contained
    def on_image_lines_read(self, message: ImageLines.Read) -> None:
        self.query_one("#fleets-body", Static).update(self.build())

    def action_close(self) -> None:
        self.dismiss()

    # -- drawing ------------------------------------------------------------------------------

    def _colour(self, name: str) -> str:
        return self.app.theme_variables.get(name, "")

    def build(self) -> Group:
        lines = self.engine.images.lines if self.engine.images is not None else []
        parts: list[Text] = []
        for index, line in enumerate(lines):
            if index:
                parts.append(Text(""))
            parts.append(self._heading(line))
            if line.status is not None and line.status.fleets:
                parts.append(self._table(line))
            elif line.status is not None:
                parts.append(Text("  the answer named no fleets", style="dim"))
        return Group(*parts)

    def _heading(self, line: ImageLine) -> Text:
        heading = Text(no_wrap=True, overflow="ellipsis")
        heading.append(f"{line.account} · {line.name}", style="bold")
        status = line.status
        if status is not None:
            heading.append(
                f"   {status.completed} completed, {status.failed} failed, "
                f"{status.pending} pending of {status.total} — {line.state}"
            )
            heading.append(f"   read {age(line.read_at, self.clock())}", style="dim")
        if line.error is not None:
            heading.append(f"   ✖ {line.problem}", style=self._colour("error"))
        elif status is None:
            heading.append("   not read yet", style="dim")
        elif not line.confirmed:
            health = self.engine.health(line.account)
            heading.append(f"   ? unconfirmed: {health.summary}", style="dim")
        return heading

    def _table(self, line: ImageLine) -> Text:
        """Fleets and their regions in aligned columns (plain text: Rich tables lose their
        padding inside a Static)."""
        assert line.status is not None and line.status.fleets is not None
        rows: list[tuple[str, str, MachineCounts, bool]] = []
        for fleet in line.status.fleets:
            fleet_name = f"{fleet.name} ({fleet.id})" if fleet.name else f"fleet {fleet.id}"
            fleet_name = safe_text(fleet_name)
            rows.append((fleet_name, "all regions", fleet, True))
            for region in fleet.regions:
                name = f"{region.name} ({region.id})" if region.name else f"region {region.id}"
                name = safe_text(name)  # from the API: escapes, and columns that line up
                rows.append(("", name, region, False))
        first = max(len("Fleet"), *(len(row[0]) for row in rows))
        second = max(len("Region"), *(len(row[1]) for row in rows))
        table = Text(no_wrap=True, overflow="ellipsis")
        table.append(
            f"{'Fleet':<{first}}  {'Region':<{second}}  {'Completed':>9}  {'Failed':>6}  "
            f"{'Pending':>7}  {'Total':>5}  {'':<{_BAR}}  State",
            style="bold",
        )
        for fleet_name, region_name, counts, is_fleet in rows:
            table.append("\n")
            table.append(f"{fleet_name:<{first}}  ", style="bold" if is_fleet else "")
            table.append(f"{region_name:<{second}}  ", style="dim" if is_fleet else "")
            table.append(f"{counts.completed:>9}  ")
            error = self._colour("error") if counts.failed else ""
            table.append(f"{counts.failed:>6}", style=error)
            table.append(f"  {counts.pending:>7}  {counts.total:>5}  ")
            styles = (self._colour("success"), self._colour("error"), "dim")
            table.append_text(readiness_bar(counts, _BAR, styles))
            table.append("  ")
            if counts.ready:
                table.append("✔ ready", style=f"bold {self._colour('success')}")
            else:
                table.append("▶ rolling out")
        return table
