"""The job table's vertical scrollbar during a rollout: rows arrive every second, and each
arrival must not lay the whole screen out again, nor even repaint a bar that looks the same.

Textual (checked against 8.2) lays the screen out whenever a widget's ``virtual_size``
changes, and repaints a scrollbar whenever its ``window_virtual_size`` does. With a thousand
rows under a bar that shows already, a few more change neither the layout nor, mostly, the
thumb: :func:`grow_quietly` sets the sizes without those side effects when that holds.
"""

from __future__ import annotations

from math import ceil

from rich.segment import Segment
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender

__all__ = ["grow_quietly", "thumb"]


def thumb(bar: ScrollBar, virtual: int) -> list[Segment]:
    """How ``bar`` draws for ``virtual`` rows, as Textual's ``ScrollBar`` renders it."""
    window = bar.window_size if bar.window_size < virtual else 0
    drawn = ScrollBarRender.render_bar(
        size=bar.size.height,
        virtual_size=ceil(virtual),
        window_size=ceil(window),
        position=bar.position,
        thickness=bar.thickness,
    )
    return drawn.segments


def grow_quietly(view: ScrollView, size: Size) -> bool:
    """Give ``view`` the taller ``size`` without a layout if only rows were added under a
    scrollbar that shows already; False if that doesn't hold (set ``virtual_size`` then)."""
    old = view.virtual_size
    if not (
        size.width == old.width
        and size.height > old.height > view.size.height
        and view.show_vertical_scrollbar
    ):
        return False
    view.set_reactive(type(view).virtual_size, size)
    bar = view.vertical_scrollbar
    if thumb(bar, size.height) == thumb(bar, bar.window_virtual_size):
        bar.set_reactive(ScrollBar.window_virtual_size, size.height)
    else:
        bar.window_virtual_size = size.height
    return True
