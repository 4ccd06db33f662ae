"""django-q2 task entry points: ids in, one runner call. Enqueue them with ``executions.queue``."""

from __future__ import annotations

from executions import runner


def advance_execution(execution_id: int) -> bool:
    """Advance an execution's top level as far as one unit of work goes."""
    return runner.advance_execution(execution_id=execution_id)


def advance_frame(frame_id: int) -> bool:
    """Advance one Parallel branch or Map iteration as far as one unit of work goes."""
    return runner.advance_frame(frame_id=frame_id)
