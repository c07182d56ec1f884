"""The ``a`` dialog: track jobs — one by its id, or several picked from the account's list.

Two ways in, one result:

* **By job id** (focused first, as before): account, job id, stage (install, update, diff or
  version), mirroring flag and a label, validated on submit — the job id must be a positive
  whole number not tracked already in that stage, and only installs take a mirroring flag.
  Enter in the job id or label field adds it.
* **Pick from the account**: the selected account's incomplete jobs that are not tracked yet
  (from its last status list, handed in as ``untracked``), filtered by a text box (job id,
  state, mirror or machine, image version). Space toggles a job; "Add selected" (ctrl+s)
  adds every job picked — picks survive filtering and switching account. A picked job takes
  its mirroring flag from the status list and no label.

The screen's result is ``list[AddJobRequest]`` — one request from the form, one or more from
the list — or None when cancelled (escape). It used to be a single ``AddJobRequest``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList
from textual.widgets.selection_list import Selection

from cfdash.api.models import StateKind, StatusItem
from cfdash.engine.tracking import JobKey, TrackedJob
from cfdash.stages import STAGES, Stage, is_stage
from cfdash.textfmt import STATE_SYMBOLS, shorten
from cfdash.tui.bindings import bindings_for
from cfdash.tui.themes import phase_styles

__all__ = ["AddJobRequest", "AddJobScreen"]

#: A job picked in the list: always an install of the account (the list is its status list).
PickKey = tuple[str, int]


@dataclass(frozen=True)
class AddJobRequest:
    account: str
    jobid: int
    mirroring: bool | None
    label: str | None
    stage: Stage = "install"

    def job(self) -> TrackedJob:
        """The job to track, as one the user added (kept in the state file)."""
        return TrackedJob(
            self.account,
            self.jobid,
            source="state",
            stage=self.stage,
            label=self.label,
            mirroring_setting=self.mirroring,
        )


_MIRRORING = [
    ("auto (status list)", "auto"),
    ("true (mirror)", "true"),
    ("false (machine)", "false"),
]
_STAGES = [(stage, stage) for stage in STAGES]
_TARGET_WIDTH = 20


def _phase(item: StatusItem) -> str:
    kind = item.state.kind
    return "unknown" if kind is StateKind.UNKNOWN else kind.name.lower()


def _target(item: StatusItem) -> str:
    """Where the job installs: the mirror, or the machine and its location."""
    if item.mirroring and item.mirror:
        return item.mirror
    return " ".join(part for part in (item.machine, item.location) if part)


def _version(item: StatusItem) -> str:
    version = item.target_imageversionid
    return f"v{version}" if version is not None else ""


def _haystack(item: StatusItem) -> str:
    """What the pick filter searches — what the line shows: id, state, kind, target, version."""
    parts = (item.jobid, item.state.word, item.kind, _target(item), _version(item))
    return " ".join(str(part) for part in parts if part).lower()


def matches(item: StatusItem, text: str) -> bool:
    """Every word of ``text`` occurs in what the row says (case-insensitive)."""
    haystack = _haystack(item)
    return all(word in haystack for word in text.lower().split())


class AddJobScreen(ModalScreen[list[AddJobRequest] | None]):
    """Track one job by id, or pick several of the account's untracked jobs."""

    DEFAULT_CSS = """
    AddJobScreen { align: center middle; }
    AddJobScreen > #dialog {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        padding: 0 2; border: thick $primary; background: $surface;
    }
    AddJobScreen Label.title { text-style: bold; margin: 1 0; }
    AddJobScreen Label.section { text-style: bold; margin-top: 1; color: $text-primary; }
    AddJobScreen Horizontal { height: auto; }
    AddJobScreen #account-row Label { width: 9; height: 3; content-align: left middle; }
    AddJobScreen #account { width: 1fr; }
    AddJobScreen #form > Vertical { height: auto; margin-right: 1; }
    AddJobScreen #form > #jobid-box { width: 18; }
    AddJobScreen #form > #mirroring-box { width: 26; }
    AddJobScreen #form > #label-box { width: 1fr; }
    AddJobScreen #form > #stage-box { width: 16; margin-right: 0; }
    AddJobScreen #picks { max-height: 10; }
    /* A light cursor, so the state colours of the line under it stay readable. */
    AddJobScreen #picks:focus > .option-list--option-highlighted {
        background: $primary 30%; color: $foreground; text-style: bold;
    }
    AddJobScreen #pick-status { color: $text-muted; height: auto; }
    AddJobScreen #error { color: $error; height: auto; }
    AddJobScreen #buttons { align-horizontal: right; margin: 1 0; }
    AddJobScreen #buttons Button { margin-left: 2; }
    AddJobScreen #buttons #add-selected { width: 22; }
    """

    BINDINGS = bindings_for("add")

    def __init__(
        self,
        accounts: list[str],
        tracked: set[JobKey],
        untracked: Mapping[str, Sequence[StatusItem]] | None = None,
    ) -> None:
        super().__init__()
        self.accounts = accounts
        self.tracked = tracked
        #: Each account's untracked jobs by id, in status-list order; tracked ones left out.
        self.untracked: dict[str, dict[int, StatusItem]] = {
            account: {
                item.jobid: item
                for item in items
                if JobKey(account, "install", item.jobid) not in tracked
            }
            for account, items in (untracked or {}).items()
        }
        #: Jobs picked in the list, in any account: they survive filtering and switching.
        self.picked: set[PickKey] = set()
        #: The account whose jobs the list shows now.
        self._listed_account: str | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Label("Track jobs", classes="title")
            with Horizontal(id="account-row"):
                yield Label("Account")
                yield Select(
                    [(name, name) for name in self.accounts],
                    value=self.accounts[0],
                    allow_blank=False,
                    id="account",
                )
            yield Label("By job id", classes="section")
            with Horizontal(id="form"):
                with Vertical(id="jobid-box"):
                    yield Label("Job id")
                    yield Input(
                        placeholder="e.g. 5551001", type="integer", valid_empty=True, id="jobid"
                    )
                with Vertical(id="mirroring-box"):
                    yield Label("Mirroring")
                    yield Select(_MIRRORING, value="auto", allow_blank=False, id="mirroring")
                with Vertical(id="label-box"):
                    yield Label("Label (optional)")
                    yield Input(placeholder="e.g. EU mirror", id="label", max_length=60)
                with Vertical(id="stage-box"):
                    yield Label("Stage")
                    yield Select(_STAGES, value="install", allow_blank=False, id="stage")
            yield Label("Or pick untracked jobs", classes="section", id="pick-title")
            yield Input(
                placeholder="filter: job id, state, mirror or machine, image version",
                id="pick-filter",
            )
            yield SelectionList[int](id="picks")
            yield Label("", id="pick-status")
            yield Label("", id="error")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Add selected", id="add-selected")
                yield Button("Add", id="add", variant="primary")

    def on_mount(self) -> None:
        self._fill_picks()
        self.query_one("#jobid", Input).focus()

    # -- the list ---------------------------------------------------------------------------

    @property
    def account(self) -> str:
        return str(self.query_one("#account", Select).value)

    @property
    def _picks(self) -> SelectionList[int]:
        return self.query_one("#picks", SelectionList)

    def _sync_picks(self) -> None:
        """Fold the list's ticks into ``picked`` (the list only holds the jobs in view)."""
        account = self._listed_account
        if account is None:
            return
        picks = self._picks
        shown = {(account, picks.get_option_at_index(i).value) for i in range(picks.option_count)}
        ticked = {(account, jobid) for jobid in picks.selected}
        self.picked = (self.picked - shown) | ticked

    def _fill_picks(self) -> None:
        """Show the account's untracked jobs that match the filter, ticking the picked ones."""
        self._sync_picks()
        account = self.account
        jobs = self.untracked.get(account, {})
        text = self.query_one("#pick-filter", Input).value.strip()
        shown = [item for item in jobs.values() if matches(item, text)]
        styles = phase_styles(self.app.theme_variables)
        width = max((len(str(item.jobid)) for item in shown), default=0)
        picks = self._picks
        with self.app.batch_update():
            picks.clear_options()
            picks.add_options(
                Selection(
                    self._prompt(item, width, styles),
                    item.jobid,
                    (account, item.jobid) in self.picked,
                )
                for item in shown
            )
            self._listed_account = account
            if picks.option_count and picks.highlighted is None:
                picks.highlighted = 0
            self.query_one("#pick-title", Label).update(f"Or pick untracked jobs of {account}")
            self.query_one("#pick-filter", Input).display = bool(jobs)
            picks.display = bool(shown)
            self._show_pick_status(len(jobs), len(shown), text)

    @staticmethod
    def _prompt(item: StatusItem, width: int, styles: dict[str, str]) -> Text:
        phase = _phase(item)
        state = f"{STATE_SYMBOLS.get(phase, '?')} {item.state.word}"
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(str(item.jobid).rjust(width), style="bold")
        line.append("  ")
        line.append(shorten(state, 12).ljust(12), style=styles.get(phase, ""))
        line.append(f"{item.progress:4d}%  ")
        line.append((item.kind or "?").ljust(8), style="dim")
        line.append(shorten(_target(item), _TARGET_WIDTH).ljust(_TARGET_WIDTH))
        line.append("  ")
        line.append(_version(item))
        line.rstrip()
        return line

    def _show_pick_status(self, total: int, shown: int, text: str) -> None:
        status = self.query_one("#pick-status", Label)
        count = len(self.picked)
        button = self.query_one("#add-selected", Button)
        button.label = f"Add selected ({count})" if count else "Add selected"
        button.disabled = not count
        if not total:
            note = f"No untracked jobs in {self.account}'s last status list."
            if count:
                note += f" {count} picked in other accounts."
            status.update(note)
            return
        jobs = "1 untracked job" if total == 1 else f"{total} untracked jobs"
        parts = [jobs if shown == total else f"{shown} of {jobs} match"]
        if not shown:
            parts = [f"Nothing matches {text!r} ({jobs})"]
        hidden = count - len(self._picks.selected)  # other accounts, or filtered out
        picked = f"{count} selected"
        if hidden:
            picked += f" ({hidden} not shown)"
        parts.append(picked)
        parts.append("space toggles, ctrl+s adds them")
        status.update(" · ".join(parts))

    @on(Select.Changed, "#account")
    def _account_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._fill_picks()

    @on(Input.Changed, "#pick-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill_picks()

    @on(Input.Submitted, "#pick-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        if self._picks.display:
            self._picks.focus()

    @on(SelectionList.SelectedChanged, "#picks")
    def _ticked(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        self._sync_picks()
        text = self.query_one("#pick-filter", Input).value.strip()
        jobs = self.untracked.get(self.account, {})
        self._show_pick_status(len(jobs), self._picks.option_count, text)

    # -- results ----------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "add":
            self.submit()
        elif event.button.id == "add-selected":
            self.action_add_selected()
        else:
            self.dismiss(None)

    @on(Input.Submitted, "#jobid, #label")
    def _form_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def validate_request(self) -> AddJobRequest | str:
        """The form's request, or one sentence saying what to fix."""
        account = self.account
        raw = self.query_one("#jobid", Input).value.strip()
        if not raw.isdigit() or int(raw) <= 0:
            return "Job id: expected a positive whole number."
        jobid = int(raw)
        chosen = self.query_one("#stage", Select).value
        stage: Stage = chosen if is_stage(chosen) else "install"
        key = JobKey(account, stage, jobid)
        if key in self.tracked:
            return f"{key.name} is already tracked."
        flag = self.query_one("#mirroring", Select).value
        mirroring = None if flag == "auto" else flag == "true"
        if mirroring is not None and stage != "install":
            return "Mirroring: only installs are mirrored; leave it on auto for this stage."
        label = self.query_one("#label", Input).value.strip() or None
        return AddJobRequest(account, jobid, mirroring, label, key.stage)

    def picked_requests(self) -> list[AddJobRequest]:
        """A request per picked job: accounts in the dialog's order, jobs in list order."""
        self._sync_picks()
        return [
            AddJobRequest(account, jobid, item.mirroring, None)
            for account in self.accounts
            for jobid, item in self.untracked.get(account, {}).items()
            if (account, jobid) in self.picked
        ]

    def submit(self) -> None:
        request = self.validate_request()
        if isinstance(request, str):
            self.query_one("#error", Label).update(request)
            return
        self.dismiss([request])

    def action_add_selected(self) -> None:
        requests = self.picked_requests()
        if not requests:
            self.query_one("#error", Label).update(
                "Nothing selected: space ticks a job in the list."
            )
            return
        self.dismiss(requests)
