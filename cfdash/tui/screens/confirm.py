"""Yes/no questions in a modal, with their keys from :mod:`cfdash.keys`.

:class:`ConfirmScreen` is the everyday one: ``enter``/``y`` confirms, ``escape``/``n``
cancels.  :class:`BulkConfirmScreen` asks before something that sends many requests: there
``enter`` — the key pressed by reflex — cancels, and only ``y`` or a click on the button
confirms (decisions.md, "Bulk confirm keys").
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from cfdash.safetext import safe_text
from cfdash.tui.bindings import bindings_for

__all__ = ["BulkConfirmScreen", "ConfirmScreen", "QuestionScreen"]


class QuestionScreen(ModalScreen[bool]):
    """The dialog both confirms share; a subclass brings its ``BINDINGS`` and key hints."""

    DEFAULT_CSS = """
    QuestionScreen { align: center middle; }
    QuestionScreen > Vertical {
        width: 64; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    QuestionScreen .title { text-style: bold; margin-bottom: 1; }
    QuestionScreen .body { margin-bottom: 1; }
    QuestionScreen Horizontal { height: auto; align-horizontal: right; }
    QuestionScreen Button { margin-left: 2; }
    """

    # Focus stays off the buttons, so enter means what the bindings say (the mouse still works).
    AUTO_FOCUS = ""

    #: The keys written on the buttons.
    yes_hint = "y"
    no_hint = "n"

    def __init__(self, title: str, body: str, *, confirm_label: str = "Confirm") -> None:
        super().__init__()
        # A confirm quotes the job's error from the API: control characters as escapes.
        self.title_text = safe_text(title)
        self.body_text = safe_text(body, keep_newlines=True)
        self.confirm_label = confirm_label
        self._name_the_yes_key(confirm_label)

    def _name_the_yes_key(self, label: str) -> None:
        """The confirming key's footer and palette entry say what the button says ("Retry
        all", "Send all"), not the generic description of its binding ("Queue all")."""
        bindings = self._bindings.key_to_bindings
        for key, each in bindings.items():
            bindings[key] = [
                replace(binding, description=label) if binding.action == "answer(True)" else binding
                for binding in each
            ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            yield Static(self.body_text, classes="body", markup=False)
            with Horizontal():
                yield Button(f"Cancel ({self.no_hint})", id="no")
                yield Button(f"{self.confirm_label} ({self.yes_hint})", id="yes", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ConfirmScreen(QuestionScreen):
    """Ask before doing one thing to the service or the tracked jobs."""

    BINDINGS = bindings_for("confirm")


class BulkConfirmScreen(QuestionScreen):
    """Ask before sending several requests: ``enter`` cancels, only ``y`` (or a click) sends."""

    DEFAULT_CSS = """
    BulkConfirmScreen > Vertical { width: 80; }
    """

    BINDINGS = bindings_for("bulk_confirm")

    no_hint = "enter"
