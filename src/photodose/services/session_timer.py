"""A session countdown with an injectable clock, so tests never wait.

:func:`countdown` ticks every ``tick_s`` seconds of the given ``clock`` until ``total_s`` have
passed, calling ``on_tick(elapsed_s, remaining_s)``; Ctrl-C (``KeyboardInterrupt`` raised by
``sleep`` or ``on_tick``) ends it early. It returns the seconds actually done and whether the
session completed — the minutes the journal logs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class TimerResult:
    elapsed_s: float
    completed: bool

    @property
    def minutes(self) -> float:
        return self.elapsed_s / 60.0


def countdown(
    total_s: float,
    *,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
    tick_s: float = 1.0,
    on_tick: Callable[[float, float], None] | None = None,
) -> TimerResult:
    """Count down ``total_s`` seconds (see module docstring)."""
    if not total_s > 0:
        raise ValueError("total_s must be > 0")
    start = clock()
    elapsed = 0.0
    try:
        while True:
            elapsed = min(total_s, clock() - start)
            if on_tick is not None:
                on_tick(elapsed, total_s - elapsed)
            if elapsed >= total_s:
                return TimerResult(total_s, True)
            sleep(min(tick_s, total_s - elapsed))
    except KeyboardInterrupt:
        elapsed = min(total_s, clock() - start)
        return TimerResult(elapsed, elapsed >= total_s)


class FakeClock:
    """A clock that advances only when ``sleep`` is called (for tests and ``--fast`` demos)."""

    def __init__(self, start: float = 0.0, interrupt_at_s: float | None = None):
        self.now = start
        self.start = start
        self.interrupt_at_s = interrupt_at_s

    def __call__(self) -> float:
        return self.now

    def sleep(self, dt: float) -> None:
        self.now += dt
        if self.interrupt_at_s is not None and self.now - self.start >= self.interrupt_at_s:
            raise KeyboardInterrupt
