"""Every account in trouble is named on screen at any width, on one line; ``A`` lists them all."""

from __future__ import annotations

import pytest

from cfdash.sim import Fault, FaultKind
from cfdash.tui.account_line import AccountWords, account_line
from cfdash.tui.screens.accounts import AccountsScreen

OK = [AccountWords(f"ok-{n}", "ok") for n in range(3)]
REJECTED = AccountWords(
    "staging", "trouble", "credentials rejected — press R to retry", "credentials rejected"
)
DOWN = [
    AccountWords(f"region-{n}", "trouble", "unreachable, retry in 8s", "unreachable")
    for n in range(6)
]


def test_the_whole_story_when_it_fits():
    line = account_line([*OK, REJECTED], 200).plain
    assert "staging ✖ credentials rejected — press R to retry" in line and "ok-0 ✔ ok" in line


def test_narrower_the_trouble_keeps_its_words_and_the_rest_are_counted():
    line = account_line([*OK, REJECTED], 70).plain
    assert line == "✖ staging: credentials rejected (R retries)  ·  ✔ 3 ok"
    roomier = account_line([*OK, REJECTED], 90).plain
    assert roomier == f"{line}   A: the whole story"


@pytest.mark.parametrize("width", [30, 50, 78, 120])
def test_narrowest_every_name_that_fits_then_how_many_more_and_the_key(width):
    accounts = [*OK, REJECTED, *DOWN]
    line = account_line(accounts, width).plain
    assert len(line) <= width or line.count(",") == 0  # at least one name, even if cut
    named = [a.name for a in (REJECTED, *DOWN) if a.name in line]
    assert named and named == [a.name for a in (REJECTED, *DOWN)][: len(named)]
    if len(named) < 7:
        assert f"+{7 - len(named)} more (A lists all)" in line


def test_nothing_in_trouble_and_no_room_counts_the_accounts():
    assert account_line(OK * 20, 40).plain == "✔ 60 ok"


async def test_at_80x24_a_rejected_account_is_named_and_a_key_lists_every_account(served, make_app):
    sim = served.sim
    app = make_app(poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        for account in sim.accounts.values():  # every account's credentials rejected
            sim.faults.add(Fault(FaultKind.ERROR_ENVELOPE, endpoint="status", asid=account.asid,
                                 message="Forbidden", status=401))  # fmt: skip
        await app.engine.poll_all()
        await pilot.pause()
        header = app.main.header
        second = header.build().plain.splitlines()[1]
        assert len(second) <= header.content_size.width
        names = [account.name for account in sim.accounts.values()]
        assert all(name in second for name in names) and "credentials rejected" in second
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, AccountsScreen)
        listed = app.screen.table()
        cells = [str(cell) for column in listed.columns for cell in column.cells]
        assert all(name in cells for name in names)
        assert sum("credentials rejected" in cell for cell in cells) == len(names)
        await pilot.press("escape")
        assert app.screen is app.main
