"""Messages from the engine to the screen: small, and built where they are sent."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from cfdash.engine.engine import PollDone, QueueDone

__all__ = ["Polled", "Queued"]


@dataclass
class Polled(Message):
    """An account was polled; ``event.changes`` says which rows to patch."""

    event: PollDone


@dataclass
class Queued(Message):
    """A queue request ended (well, badly, or unknown)."""

    event: QueueDone
