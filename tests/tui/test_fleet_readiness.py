"""Fleet readiness on the dashboard (Pilot, over real HTTP against the simulator): the line
under the header, whose trouble an image's error is, and the per-fleet breakdown (``i``)."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Static

from cfdash.config import StateStore
from cfdash.demo import demo_settings
from cfdash.sim import Fault, FaultKind
from cfdash.sim.demo import DEMO_IMAGE, DEMO_IMAGE_LABEL
from cfdash.tui.screens.fleets import FleetsScreen
from cfdash.tui.widgets.image_lines import ImageLines, bar_cells
from cfdash.tui.wiring import build_app

from .conftest import wait_for

PROD = 12345
SIZE = (150, 32)


def make(served, tmp_path, *, pipeline: bool = True, poll: bool = False):
    settings = demo_settings(served.base_url, refresh=60, pipeline=pipeline)
    store = StateStore(tmp_path / "state.toml")
    return build_app(settings, store=store, clock=served.clock, poll=poll, tick=False)


def line_text(app) -> str:
    return str(app.main.query_one(ImageLines).content)


def plain(renderable) -> str:
    console = Console(file=io.StringIO(), width=SIZE[0], color_system=None)
    console.print(renderable)
    return console.file.getvalue()


def truth(served) -> dict:
    image = served.sim.pipeline.images[DEMO_IMAGE]
    return image.body(served.clock(), served.sim.speed, detail=True)


async def polled(app, pilot) -> None:
    reads = app.engine.images.lines[0].requests
    await app.engine.poll_all()
    await wait_for(lambda: app.engine.images.lines[0].requests > reads, pilot)
    await pilot.pause()


async def test_the_image_line_shows_its_counts_and_ready_without_a_key(served, tmp_path):
    app = make(served, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        widget = app.main.query_one(ImageLines)
        assert widget.display and "waiting for the first read" in line_text(app)
        served.clock.advance(10)
        await polled(app, pilot)
        body = truth(served)
        done, failed, pending = (
            body["completed_machines"], body["failed_machines"], body["pending_machines"]
        )  # fmt: skip
        await wait_for(lambda: "rolling out" in line_text(app), pilot)
        text = line_text(app)
        assert f"image {DEMO_IMAGE} {DEMO_IMAGE_LABEL}" in text
        assert f"{done} completed" in text and f"{failed} failed" in text
        assert f"{pending} pending  of 40" in text
        assert "█" in text and "░" in text and "ready" not in text
        assert len(text.splitlines()) == 1
        assert text.endswith("   i by fleet and region")  # the key, as mapped now

        served.clock.advance(3600)  # the rollout ends
        await polled(app, pilot)
        await wait_for(lambda: "of 40  ready" in line_text(app), pilot)
        assert " 0 pending" in line_text(app) and "░" not in line_text(app)


async def test_the_running_dashboard_reads_the_image_once_per_refresh(served, tmp_path):
    app = make(served, tmp_path, poll=True)  # the real polling worker, a 60 s refresh
    async with app.run_test(size=SIZE) as pilot:
        line = app.engine.images.lines[0]
        await wait_for(lambda: line.requests == 1, pilot)
        for refresh in (2, 3):
            await pilot.press("r")
            await wait_for(lambda refresh=refresh: line.requests == refresh, pilot)
        assert served.sim.requests.count("image_status", PROD, jobid=DEMO_IMAGE) == 3
        assert served.sim.requests.count("status", PROD) == 3
        await wait_for(lambda: "completed" in line_text(app), pilot)


async def test_no_image_watched_takes_no_room_and_offers_no_key(served, tmp_path):
    app = make(served, tmp_path, pipeline=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        assert not app.main.query_one(ImageLines).display
        assert all("Fleets" not in description for _, description in app.help_rows())
        await pilot.press("i")
        await pilot.pause()
        assert app.screen is app.main
        assert served.sim.requests.count("image_status") == 0


async def test_one_image_failing_marks_its_line_and_the_account_stays_ok(served, tmp_path):
    app = make(served, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await polled(app, pilot)
        served.sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="image_status", asid=PROD))
        served.clock.advance(5)
        await polled(app, pilot)
        await wait_for(lambda: "server error 503" in line_text(app), pilot)
        assert "counts from 5s ago" in line_text(app)  # the last counts stay, dated
        header = str(app.main.header.content)
        assert "production ✔ ok" in header


async def test_a_401_on_the_image_is_the_accounts_auth_trouble_on_screen(served, tmp_path):
    app = make(served, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        served.sim.faults.add(
            Fault(FaultKind.ERROR_ENVELOPE, endpoint="image_status", asid=PROD,
                  message="Forbidden", status=401)
        )  # fmt: skip
        await polled(app, pilot)
        await wait_for(lambda: "credentials rejected" in str(app.main.header.content), pilot)
        assert "production ✖ credentials rejected" in str(app.main.header.content)
        assert "? not read: production credentials rejected" in line_text(app)


async def test_i_opens_the_breakdown_with_fleets_and_regions_by_name(served, tmp_path):
    app = make(served, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        served.clock.advance(10)
        await polled(app, pilot)
        help_text = dict((d, k) for k, d in app.help_rows())
        assert help_text['Fleets ("failed" = disabled)'] == "i"
        await pilot.press("i")
        await wait_for(lambda: isinstance(app.screen, FleetsScreen), pilot)
        screen = app.screen
        meaning = str(screen.query_one("#fleets-meaning", Static).content)
        assert "failed: machines that were disabled" in meaning
        body = plain(screen.query_one("#fleets-body", Static).content)
        truth_now = truth(served)
        assert f"production · image {DEMO_IMAGE} {DEMO_IMAGE_LABEL}" in body
        for fleetid, fleet in truth_now["fleets"].items():
            assert f"fleet {fleetid}" in body
            for regionid, region in fleet["regions"].items():
                (row,) = [
                    line for line in body.splitlines() if f"{region['name']} ({regionid})" in line
                ]
                numbers = [int(word) for word in row.split() if word.isdigit()][:4]
                assert numbers == [
                    region["completed_machines"], region["failed_machines"],
                    region["pending_machines"], sum(numbers[:3]),
                ]  # fmt: skip

        # It follows the reads while open.
        served.clock.advance(3600)
        await polled(app, pilot)
        await wait_for(
            lambda: "0 pending of 40 — ready" in plain(screen.query_one("#fleets-body").content),
            pilot,
        )
        await pilot.press("escape")
        await wait_for(lambda: app.screen is app.main, pilot)


def test_the_bar_keeps_a_cell_for_every_kind_there_is():
    assert bar_cells([999, 0, 1], 24) == [23, 0, 1]  # one pending machine still shows
    assert bar_cells([10, 2, 28], 24) == [6, 1, 17]
    assert bar_cells([0, 0, 0], 24) == [0, 0, 0]
    assert sum(bar_cells([1, 1, 1], 2)) == 2
