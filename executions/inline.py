"""Small effect-free Parallel and Map states, run in-process inside their fork's commit.

Children of a Parallel or Map are units of work of their own (``executions/frames.py``),
so a big Map spreads over every worker. But a fork whose children can have no effect
(``asl.Fork.inline``: only Pass, Choice, Succeed and Fail inside) is pure computation, and
making a row, a queue message and a commit for each of its children costs a hundred times
the computation itself. Such a fork, with at most ``STEPFLOW_INLINE_FORK_CHILDREN``
children, is run right here by the interpreter's own driver (``asl.run_inline``) and
joined at once: its children's history and steps are written in the same transaction as
the join, so a crash loses all of them or none, and they are simply computed again. A fork
that needs more than ``STEPFLOW_INLINE_FORK_STEPS`` interpreter steps is given up (nothing
of the attempt is kept) and runs as rows, like any other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings

import stepflow.asl as asl
from executions import history
from executions.models import Step

if TYPE_CHECKING:
    from executions.runner import Unit

__all__ = ["Inlined", "run_children"]

log = logging.getLogger(__name__)


@dataclass
class Inlined:
    """A fork's children run in-process: what they decided and the steps they made."""

    run: asl.InlineRun
    books: list[history.StepBook]

    def joiner(self, machine: asl.Machine) -> Callable[[dict[str, Any], datetime], asl.Decision]:
        """The transition that follows: ``join`` with the children's results."""
        results = self.run.results
        return lambda cursor, now: asl.join(machine, cursor, now=now, results=results)

    def save(self) -> list[Step]:
        """Write the children's steps (in the caller's transaction); returns them."""
        return history.save_fresh(self.books)


def run_children(unit: Unit, machine: asl.Machine, fork: asl.Fork, *, last_id: int) -> Inlined | None:
    """Run ``fork``'s children here when it may and they fit the limits; else ``None``."""
    if not fork.inline or len(fork.children) > settings.STEPFLOW_INLINE_FORK_CHILDREN:
        return None
    try:
        done = asl.run_inline(machine, fork, last_id=last_id, max_steps=settings.STEPFLOW_INLINE_FORK_STEPS)
    except Exception:  # an interpreter bug: the children run as rows, where it ends only their frame
        log.exception("running a fork in-process failed on execution %s", unit.execution.pk)
        return None
    if done is None:
        return None
    books: dict[str, history.StepBook] = {}
    for frame, decision in done.frames:
        key = repr(frame)
        book = books.get(key)
        if book is None:
            book = books[key] = history.StepBook(unit.execution.pk, unit.frame, frame, fresh=True)
        book.apply(decision.events, decision)
    return Inlined(done, list(books.values()))
