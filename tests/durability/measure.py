"""Reading what real processes cost, from Linux's /proc: CPU time and resident memory."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """User plus system CPU time ``pid`` has used so far (0 once it is gone); with
    ``reaped``, plus that of the children it has waited for (a pool that recycles its
    workers, a server whose per-connection processes end), which no walk over the live
    processes would find."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # The command name may hold spaces; the fields after its closing parenthesis do not.
    fields = stat.rsplit(")", 1)[1].split()
    return sum(int(field) for field in fields[11 : 15 if reaped else 13]) / _TICKS  # utime, stime[, cutime, cstime]
