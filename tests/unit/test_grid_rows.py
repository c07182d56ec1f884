"""The job table's row model without a screen: what each change asks the widget to redraw."""

from __future__ import annotations

from cfdash.api.models import StatusItem
from cfdash.engine.tracking import Tracker
from cfdash.tui.grid_rows import GridRows

NOW = 1_767_225_600.0


def item(jobid: int, state: int, progress: int, eta: int | None = None) -> StatusItem:
    return StatusItem(
        jobid=jobid, jobstateid=state, jobprogress=progress, jobeta=eta, mirroring=True
    )


def world() -> tuple[Tracker, GridRows]:
    tracker = Tracker(["a"])
    tracker.merge(
        "a",
        [item(1, 4, 10, int(NOW + 60)), item(2, 2, 0), item(3, 6, 40), item(4, 4, 70)],
        NOW,
    )
    rows = GridRows(tracker, lambda: NOW)
    rows.rebuild()
    return tracker, rows


def test_an_unchanged_poll_asks_for_nothing():
    tracker, rows = world()
    changes = tracker.merge("a", [item(1, 4, 10, int(NOW + 60)), item(2, 2, 0),
                                  item(3, 6, 40), item(4, 4, 70)], NOW)  # fmt: skip
    rows.pending |= changes.changed
    assert not rows.flush()


def test_a_progress_change_touches_one_row_and_reorders_only_under_a_moving_sort():
    tracker, rows = world()
    changes = tracker.merge("a", [item(1, 4, 90), item(2, 2, 0), item(3, 6, 40),
                                  item(4, 4, 70)], NOW)  # fmt: skip
    rows.pending |= changes.changed
    redraw = rows.flush()
    assert redraw.touched == [("a", 1)] and not redraw.reordered
    assert rows.cell_text(("a", 1), "progress").endswith("90%")

    rows.sort_by("progress")
    assert rows.order[0] == ("a", 1)  # 90 % first
    tracker.merge("a", [item(1, 4, 95), item(2, 2, 0), item(3, 6, 40), item(4, 4, 99)], NOW)
    rows.pending |= {("a", 1), ("a", 4)}
    redraw = rows.flush()
    assert redraw.reordered and rows.order[:2] == [("a", 4), ("a", 1)]
    rows.sort_by("progress")  # the same sort again: reversed
    assert rows.sort_label == "progress, reversed" and rows.order[0] == ("a", 2)


def test_filters_marks_and_the_tick():
    _, rows = world()
    rows.set_filter(failed_only=True)
    assert rows.order == [("a", 3)]
    rows.set_filter(failed_only=False, text="pending")
    assert rows.order == [("a", 2)]
    rows.set_filter(text="")
    rows.set_marks([("a", 2)])
    assert rows.pending == {("a", 2)}
    assert rows.flush().touched == [("a", 2)] and rows.cell_text(("a", 2), "mark") == "●"

    rows.clock = lambda: NOW + 5  # five seconds on: countdowns and ages move
    redraw = rows.tick()
    assert rows.cell_text(("a", 1), "eta") == "55s"
    assert rows.cell_text(("a", 2), "age") == "5s ago"
    assert sorted(redraw.touched) == sorted(rows.order) and not redraw.reordered
    assert not rows.tick()  # the same second again: nothing to redraw


def test_a_removed_row_leaves_and_a_new_one_enters_in_order():
    tracker, rows = world()
    redraw = rows.remove(("a", 2))
    assert redraw.reordered and ("a", 2) not in rows.index
    tracker.merge("a", [item(0, 2, 0), item(1, 4, 10), item(3, 6, 40), item(4, 4, 70)], NOW)
    rows.pending |= {("a", 0)}
    redraw = rows.flush()
    assert redraw.reordered and rows.order[0] == ("a", 0)


def test_the_tick_updates_rows_on_screen_and_others_catch_up_when_shown():
    _, rows = world()
    rows.clock = lambda: NOW + 5
    redraw = rows.tick(range(0, 2))  # only the first two rows are on screen
    assert sorted(redraw.touched) == sorted(rows.order[:2])
    off_screen = rows.order[3]
    assert rows.ticked[off_screen] != rows.last_tick  # not touched by the tick
    assert rows.cell_text(off_screen, "age") == "5s ago"  # brought up to date when read
    assert rows.ticked[off_screen] == rows.last_tick


def test_a_finished_row_shows_a_full_dim_bar_and_no_percentage():
    tracker, rows = world()
    changes = tracker.merge("a", [item(2, 2, 0), item(3, 6, 40), item(4, 4, 70)], NOW + 1)
    rows.pending |= changes.changed  # job 1 left the list at 10 %
    rows.flush()
    assert rows.cell_text(("a", 1), "state") == "✔ Finished"
    assert rows.cell_text(("a", 1), "progress") == "██████████"  # full, and no number at all
    assert "%" not in rows.row_text(("a", 1))
    assert rows.cells[("a", 1)]["progress"].style == "dim"


def test_hide_finished_leaves_out_jobs_that_ended_and_is_part_of_the_view():
    tracker, rows = world()
    changes = tracker.merge("a", [item(2, 5, 100), item(3, 6, 40), item(4, 4, 70)], NOW + 1)
    rows.pending |= changes.changed  # 1 left the list (Finished), 2 is listed as Complete
    rows.flush()
    rows.set_filter(hide_finished=True)
    assert rows.order == [("a", 3), ("a", 4)]  # failed and running stay
    assert rows.view.hide_finished and "finished jobs hidden" in rows.view.unseen()
    rows.set_filter(failed_only=True)  # both at once
    assert rows.order == [("a", 3)]
    rows.set_filter(failed_only=False, hide_finished=False)
    assert len(rows.order) == 4
