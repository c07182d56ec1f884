"""The job table's row model without a screen: what each change asks the widget to redraw."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

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
    assert redraw.touched == [("a", "install", 1)] and not redraw.reordered
    assert rows.cell_text(("a", "install", 1), "progress").endswith("90%")

    rows.sort_by("progress")
    assert rows.order[0] == ("a", "install", 1)  # 90 % first
    tracker.merge("a", [item(1, 4, 95), item(2, 2, 0), item(3, 6, 40), item(4, 4, 99)], NOW)
    rows.pending |= {("a", "install", 1), ("a", "install", 4)}
    redraw = rows.flush()
    assert redraw.reordered and rows.order[:2] == [("a", "install", 4), ("a", "install", 1)]
    rows.sort_by("progress")  # the same sort again: reversed
    assert rows.sort_label == "progress, reversed" and rows.order[0] == ("a", "install", 2)


def test_filters_marks_and_the_tick():
    _, rows = world()
    rows.set_filter(failed_only=True)
    assert rows.order == [("a", "install", 3)]
    rows.set_filter(failed_only=False, text="pending")
    assert rows.order == [("a", "install", 2)]
    rows.set_filter(text="")
    rows.set_marks([("a", "install", 2)])
    assert rows.pending == {("a", "install", 2)}
    assert (
        rows.flush().touched == [("a", "install", 2)]
        and rows.cell_text(("a", "install", 2), "mark") == "●"
    )

    rows.clock = lambda: NOW + 5  # five seconds on: countdowns and ages move
    redraw = rows.tick()
    assert rows.cell_text(("a", "install", 1), "eta") == "55s"
    assert rows.cell_text(("a", "install", 2), "age") == "5s ago"
    assert sorted(redraw.touched) == sorted(rows.order) and not redraw.reordered
    assert not rows.tick()  # the same second again: nothing to redraw


def test_a_removed_row_leaves_and_a_new_one_enters_in_order():
    tracker, rows = world()
    redraw = rows.remove(("a", "install", 2))
    assert redraw.reordered and ("a", "install", 2) not in rows.index
    tracker.merge("a", [item(0, 2, 0), item(1, 4, 10), item(3, 6, 40), item(4, 4, 70)], NOW)
    rows.pending |= {("a", "install", 0)}
    redraw = rows.flush()
    assert redraw.reordered and rows.order[0] == ("a", "install", 0)


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
    assert rows.cell_text(("a", "install", 1), "state") == "✔ Finished"
    assert (
        rows.cell_text(("a", "install", 1), "progress") == "██████████"
    )  # full, and no number at all
    assert "%" not in rows.row_text(("a", "install", 1))
    assert rows.cells[("a", "install", 1)]["progress"].style == "dim"


def test_hide_finished_leaves_out_jobs_that_ended_and_is_part_of_the_view():
    tracker, rows = world()
    changes = tracker.merge("a", [item(2, 5, 100), item(3, 6, 40), item(4, 4, 70)], NOW + 1)
    rows.pending |= changes.changed  # 1 left the list (Finished), 2 is listed as Complete
    rows.flush()
    rows.set_filter(hide_finished=True)
    assert rows.order == [("a", "install", 3), ("a", "install", 4)]  # failed and running stay
    assert rows.view.hide_finished and "finished jobs hidden" in rows.view.unseen()
    rows.set_filter(failed_only=True)  # both at once
    assert rows.order == [("a", "install", 3)]
    rows.set_filter(failed_only=False, hide_finished=False)
    assert len(rows.order) == 4


# -- work in proportion to what changed and what is on screen --------------------------------


def many(count: int, progress: int = 10) -> list[StatusItem]:
    return [item(jobid, 4, (jobid * 7 + progress) % 100, int(NOW) + jobid) for jobid in
            range(1, count + 1)]  # fmt: skip


def test_changed_rows_off_screen_are_marked_dirty_and_built_when_shown():
    tracker = Tracker(["a"])
    tracker.merge("a", many(100), NOW)
    rows = GridRows(tracker, lambda: NOW)
    rows.rebuild()
    changes = tracker.merge("a", many(100, progress=11), NOW)  # every row moves by one
    rows.pending |= changes.changed
    redraw = rows.flush(range(0, 10))
    assert sorted(redraw.touched) == sorted(rows.order[:10]) and not redraw.reordered
    assert rows.dirty == set(rows.order[10:])  # changed, off screen: not built
    off_screen = rows.order[50]
    job = tracker.jobs[off_screen]
    assert rows.cells[off_screen]["progress"].text.endswith(f"{job.progress - 1}%")  # stale
    assert rows.catch_up(off_screen)  # scrolled into view: built now
    assert rows.cells[off_screen]["progress"].text.endswith(f"{job.progress}%")
    assert off_screen not in rows.dirty and not rows.catch_up(off_screen)


def test_a_row_built_late_that_widens_a_column_says_so():
    tracker = Tracker(["a"])
    tracker.merge("a", many(30), NOW)
    rows = GridRows(tracker, lambda: NOW)
    rows.rebuild()
    last = rows.order[-1]
    wider = [i.model_copy(update={"machine": "a-much-longer-machine-name"}) if i.jobid == last.jobid
             else i for i in many(30)]  # fmt: skip
    rows.pending |= tracker.merge("a", wider, NOW).changed
    assert not rows.flush(range(0, 5)).widened  # off screen: not measured yet
    assert rows.catch_up(last) and rows.grew  # the widget redraws every line


SORTS = ["account", "job", "state", "progress", "eta", "label", "failures", "error", "age"]
MOVES = st.lists(
    st.tuples(
        st.sets(st.integers(min_value=1, max_value=40), max_size=40),  # jobs that move
        st.sets(st.integers(min_value=1, max_value=40), max_size=3),  # jobs that leave
        st.sets(st.integers(min_value=41, max_value=45), max_size=2),  # new jobs
        st.integers(min_value=0, max_value=5),  # seconds that pass
    ),
    max_size=8,
)


@given(st.sampled_from(SORTS), st.booleans(), st.booleans(), MOVES)
@example("age", False, False, [(set(), {1, 2}, set(), 1)])  # rows leave, none else changed
@example("progress", True, False, [(set(range(1, 41)), set(), set(), 1)])  # all move at once
def test_the_order_kept_by_bisection_is_the_order_of_a_full_sort(sort, reverse, failed, moves):
    tracker = Tracker(["a", "b"])
    present = {n: (4, n % 100) for n in range(1, 41)}  # jobid -> (state, progress)
    now = NOW

    def lists():
        made = [
            StatusItem(
                jobid=jobid, jobstateid=state, jobprogress=progress,
                jobeta=int(NOW) + (progress * 37) % 50, joberror="x" * (progress % 3),
            )
            for jobid, (state, progress) in present.items()
        ]  # fmt: skip
        return made[::2], made[1::2]

    for account, items in zip(("a", "b"), lists(), strict=True):
        tracker.merge(account, items, now)
    rows = GridRows(tracker, lambda: now)
    rows.sort_by(sort)
    if reverse:
        rows.sort_by(sort)
    rows.set_filter(failed_only=failed)
    for moving, leaving, arriving, wait in moves:
        now += wait
        for jobid in moving & present.keys():
            state, progress = present[jobid]
            present[jobid] = (6 if progress % 5 == 0 else state, (progress + 13) % 100)
        for jobid in leaving:
            present.pop(jobid, None)
        present.update((jobid, (4, jobid)) for jobid in arriving)
        for account, items in zip(("a", "b"), lists(), strict=True):
            changes = tracker.merge(account, items, now)
            rows.pending |= changes.added | changes.changed
        if sort == "age" and not rows.pending:
            continue  # every last-seen time moved, no row changed: re-sorted at the next change
        rows.tick(range(0, 7))  # seven rows on screen; the rest catch up when read
        fresh = GridRows(tracker, rows.clock, view=rows.view)
        fresh.rebuild()
        assert rows.order == fresh.order
        assert all(rows.index[key] == position for position, key in enumerate(rows.order))
        assert [rows.row_text(key) for key in rows.order] == [
            fresh.row_text(key) for key in fresh.order
        ]


def test_rows_removed_together_leave_in_one_pass():
    tracker = Tracker(["a"])
    tracker.merge("a", many(20), NOW)
    rows = GridRows(tracker, lambda: NOW)
    rows.sort_by("progress")
    gone = [rows.order[0], rows.order[7], rows.order[-1]]
    for key in gone:
        tracker.remove(key)
    redraw = rows.remove(*gone, ("a", "install", 999))  # one never shown is ignored
    assert redraw.reordered and redraw.left == gone
    assert len(rows) == 17 and not set(gone) & set(rows.order)
    assert all(rows.index[key] == position for position, key in enumerate(rows.order))
    assert rows.order == sorted(rows.order, key=lambda key: -tracker.jobs[key].progress)


def test_a_row_built_at_or_after_the_tick_is_not_built_again_when_drawn():
    clock = [NOW]
    tracker, rows = world()
    rows.clock = lambda: clock[0]
    built: list[tuple] = []
    cells_of = rows._cells_of
    rows._cells_of = lambda job, now: (built.append(job.key), cells_of(job, now))[1]
    clock[0] += 1
    tracker.merge("a", [item(1, 4, 20, int(NOW + 60))], clock[0])
    rows.pending.add(("a", "install", 1))
    redraw = rows.tick(range(0, 4))  # the tick's flush builds row 1 as of the tick
    assert ("a", "install", 1) in redraw.touched and built == [("a", "install", 1)]
    assert not rows.catch_up(("a", "install", 1))  # drawing it needs nothing more
    clock[0] += 1
    tracker.merge("a", [item(1, 4, 30, int(NOW + 60))], clock[0])
    rows.pending.add(("a", "install", 1))
    rows.flush(range(0, 4))  # a poll drawn at once, after the tick
    assert not rows.catch_up(("a", "install", 1)) and rows.cell_text(
        ("a", "install", 1), "progress"
    ).endswith("30%")


def test_a_changed_row_gone_from_the_tracker_leaves_whatever_the_sort_and_filter():
    """The unfiltered account/job sorts mark shown rows dirty in bulk: a pending row the
    tracker forgot must still leave, as it does under a filter or a moving sort."""
    for sort, text in (("account", ""), ("job", ""), ("progress", ""), ("account", "a")):
        tracker, rows = world()
        if rows.sort != sort:
            rows.sort_by(sort)
        rows.set_filter(text)
        tracker.forget(("a", "install", 2))
        changes = tracker.merge("a", [item(1, 4, 20), item(3, 6, 40), item(4, 4, 70)], NOW)
        rows.pending |= changes.changed | {("a", "install", 2)}
        redraw = rows.flush()
        assert ("a", "install", 2) in redraw.left and ("a", "install", 2) not in rows.index
        assert ("a", "install", 2) not in rows.dirty and ("a", "install", 2) not in rows.cells
        assert rows.cell_text(("a", "install", 1), "progress").endswith("20%")


def test_cells_drawn_from_cached_values_follow_each_change():
    """State, progress, label and error cells come from caches keyed by their values: each
    change of a value shows, and going back shows the first text again."""
    tracker, rows = world()
    key = ("a", "install", 1)
    seen = []
    for state, progress, error in ((4, 10, None), (6, 10, "boom"), (4, 30, None), (4, 10, None)):
        fields = item(1, state, progress)
        fields = fields.model_copy(update={"joberror": error, "machine": f"m{progress}"})
        changes = tracker.merge("a", [fields, item(2, 2, 0), item(3, 6, 40), item(4, 4, 70)], NOW)
        rows.pending |= changes.changed
        rows.flush()
        seen.append(
            tuple(rows.cell_text(key, column) for column in ("state", "progress", "label", "error"))
        )
    assert seen[0][0].endswith("Running") and seen[1][0].endswith("Failed")
    assert seen[1][3] == "boom" and seen[2][3] == "" and seen[0][3] == ""
    assert seen[2][1].endswith("30%") and seen[0][1].endswith("10%")
    assert seen[0][2] != seen[2][2] and "m30" in seen[2][2]
    assert seen[3] == seen[0]
