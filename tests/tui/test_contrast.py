"""Contrast: in every shipped theme, text and the cursor row reach 4.5:1, dim text 3:1.

The ratios come from the theme's colours as Textual resolves them (:mod:`cfdash.tui.contrast`);
a second test checks that model against what the dashboard actually paints, so a change to
which variables the table or header use can't leave the first test measuring the wrong pair.
"""

from __future__ import annotations

import pytest

from cfdash.config.colours import contrast_ratio, relative_luminance
from cfdash.demo import demo_settings
from cfdash.tui.contrast import MUTED_MINIMUM, TEXT_MINIMUM, Contrast, theme_contrast
from cfdash.tui.themes import BUILTIN_THEMES, load_themes
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.wiring import build_app

from .test_no_colour import line_with

SIZE = (150, 32)


def table(checks: list[Contrast]) -> str:
    return "\n".join(f"  {c.element:32} {c.ratio:5.2f}  (needs {c.minimum:g})" for c in checks)


def test_wcag_arithmetic():
    assert relative_luminance((0, 0, 0)) == 0 and relative_luminance((255, 255, 255)) == 1
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == 21
    assert contrast_ratio((255, 255, 255), (0, 0, 0)) == 21  # either way round
    assert round(contrast_ratio((0x77, 0x77, 0x77), (255, 255, 255)), 2) == 4.48  # WCAG's #777


@pytest.mark.parametrize("name", BUILTIN_THEMES)
def test_every_shipped_theme_is_readable(name):
    checks = theme_contrast(load_themes(None).themes[name])
    elements = {check.element for check in checks}
    assert {"table text", "cursor row", "header text", "footer key", "state failed"} <= elements
    assert {check.minimum for check in checks} == {TEXT_MINIMUM, MUTED_MINIMUM}
    low = [check for check in checks if not check.ok]
    assert not low, f"{name}: below the minimum\n{table(low)}\nall:\n{table(checks)}"


def test_dim_and_muted_are_held_to_3_to_1_only():
    checks = theme_contrast(load_themes(None).themes["cfdash-dark"])
    muted = {check.element for check in checks if check.minimum == MUTED_MINIMUM}
    assert muted == {"dim text", "muted text", "muted foreground", "placeholder"}


def rgb(colour) -> tuple[int, int, int]:
    triplet = colour.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


@pytest.mark.parametrize("name", ["cfdash-dark", "cfdash-light", "ops-wall"])
async def test_the_model_measures_what_the_dashboard_paints(served, tmp_path, monkeypatch, name):
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = build_app(
        demo_settings(served.base_url, refresh=60),
        clock=served.clock,
        poll=False,
        tick=False,
        theme=name,
        themes_dir=tmp_path / "none",
    )
    model = {check.element: check for check in theme_contrast(app.get_theme(name))}
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        grid = app.main.query_one(JobGrid)
        running = next(j for j in app.engine.tracker.jobs.values() if j.phase == "running")
        grid.select(running.key)
        await pilot.pause()

        def painted(line_text: str, text: str) -> tuple:
            [segment] = [s for s in line_with(app, line_text) if text in s.text]
            style = segment.style
            assert style is not None and not style.reverse
            return rgb(style.color), rgb(style.bgcolor)

        def expected(element: str) -> tuple:
            check = model[element]
            return check.foreground.rgb, check.background.rgb

        assert painted(f"{running.jobid} ", str(running.jobid)) == expected("cursor row")
        assert painted(" jobs:", " jobs:") == expected("header text")
        failed = next(j for j in app.engine.tracker.jobs.values() if j.phase == "failed")
        row = grid.row_keys.index(failed.key)
        zebra = ", zebra row" if row % 2 else ""
        if "reverse" not in str(grid.cell_style(failed.key, "state")):
            assert painted(f"{failed.jobid} ", "Failed") == expected(f"state failed{zebra}")
        assert painted(f"{failed.jobid} ", f"{failed.jobid}") == expected(f"table text{zebra}")
