"""The ``a`` dialog: track another job — account, job id, mirroring flag and a label."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

__all__ = ["AddJobRequest", "AddJobScreen"]


@dataclass(frozen=True)
class AddJobRequest:
    account: str
    jobid: int
    mirroring: bool | None
    label: str | None


_MIRRORING = [
    ("auto (from the status list)", "auto"),
    ("true (mirror)", "true"),
    ("false (machine)", "false"),
]


class AddJobScreen(ModalScreen[AddJobRequest | None]):
    """Validated on submit: the job id must be a positive whole number not tracked already."""

    DEFAULT_CSS = """
    AddJobScreen { align: center middle; }
    AddJobScreen > Vertical {
        width: 64; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    AddJobScreen Label.title { text-style: bold; margin-bottom: 1; }
    AddJobScreen #error { color: $error; height: auto; }
    AddJobScreen Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    AddJobScreen Button { margin-left: 2; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="add.cancel")]

    def __init__(self, accounts: list[str], tracked: set[tuple[str, int]]) -> None:
        super().__init__()
        self.accounts = accounts
        self.tracked = tracked

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Track a job", classes="title")
            yield Label("Account")
            yield Select(
                [(name, name) for name in self.accounts],
                value=self.accounts[0],
                allow_blank=False,
                id="account",
            )
            yield Label("Job id")
            yield Input(placeholder="e.g. 5551001", type="integer", id="jobid")
            yield Label("Mirroring")
            yield Select(_MIRRORING, value="auto", allow_blank=False, id="mirroring")
            yield Label("Label (optional)")
            yield Input(placeholder="e.g. EU mirror", id="label", max_length=60)
            yield Label("", id="error")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Add", id="add", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#jobid", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "add":
            self.submit()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def validate_request(self) -> AddJobRequest | str:
        """The request, or one sentence saying what to fix."""
        account = str(self.query_one("#account", Select).value)
        raw = self.query_one("#jobid", Input).value.strip()
        if not raw.isdigit() or int(raw) <= 0:
            return "Job id: expected a positive whole number."
        jobid = int(raw)
        if (account, jobid) in self.tracked:
            return f"{account}/{jobid} is already tracked."
        flag = self.query_one("#mirroring", Select).value
        mirroring = None if flag == "auto" else flag == "true"
        label = self.query_one("#label", Input).value.strip() or None
        return AddJobRequest(account, jobid, mirroring, label)

    def submit(self) -> None:
        request = self.validate_request()
        if isinstance(request, str):
            self.query_one("#error", Label).update(request)
            return
        self.dismiss(request)
