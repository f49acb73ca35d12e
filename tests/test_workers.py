"""The extraction pool: results in order, the handler thread quiet, the collector paused."""

from __future__ import annotations

import gc
import multiprocessing
import signal
import time
from typing import Any

import pytest

from screener import workers

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the pool forks"
)


def _same(i: int) -> int:
    return i


class _SlowToRead:
    """A result whose unpickling takes 2 ms with the interpreter lock released (a sleep):
    the results behind it wait unread in the pipe meanwhile."""

    def __init__(self, i: int):
        self.i = i

    def __reduce__(self) -> tuple[Any, ...]:
        return (_read_slowly, (self.i,))


def _read_slowly(i: int) -> int:
    time.sleep(0.002)
    return i


def _make(i: int) -> _SlowToRead:
    return _SlowToRead(i)


def test_results_in_order_and_collector_restored() -> None:
    assert gc.isenabled()
    with workers.fork_pool(2) as pool:
        assert not gc.isenabled()
        assert list(pool.imap(_same, range(100), chunksize=4)) == list(range(100))
    assert gc.isenabled()


def test_collector_left_off_when_it_was_off() -> None:
    gc.disable()
    try:
        with workers.fork_pool(2) as pool:
            assert pool.apply(_same, (3,)) == 3
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_worker_handler_does_not_wake_for_unread_results(monkeypatch: pytest.MonkeyPatch) -> None:
    # the standard library's handler woke 27-36 thousand times here (a wakeup every time it
    # polled while a result waited in the pipe); this one wakes once or twice, at the end
    wakes = 0
    wait = multiprocessing.pool.Pool._wait_for_updates

    def counted(*args: Any, **kwargs: Any) -> None:
        nonlocal wakes
        wakes += 1
        wait(*args, **kwargs)

    monkeypatch.setattr(multiprocessing.pool.Pool, "_wait_for_updates", staticmethod(counted))
    with workers.fork_pool(2) as pool:
        got = list(pool.imap(_make, range(200)))
    assert got == list(range(200))
    assert wakes < 20


def _dispositions(_: int) -> tuple[bool, bool]:
    return (
        signal.getsignal(signal.SIGTERM) == signal.SIG_DFL,
        signal.getsignal(signal.SIGINT) == signal.SIG_IGN,
    )


def _raise(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def test_workers_do_not_inherit_the_parents_signal_handlers() -> None:
    # the CLI turns SIGTERM into KeyboardInterrupt; a worker must die of the SIGTERM the pool
    # ends it with, and leave Ctrl-C to the parent
    before = signal.signal(signal.SIGTERM, _raise)
    try:
        with workers.fork_pool(2) as pool:
            got = pool.map(_dispositions, range(8), chunksize=1)
    finally:
        signal.signal(signal.SIGTERM, before)
    assert got == [(True, True)] * 8
