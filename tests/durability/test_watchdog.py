"""``manage.py worker`` replaces a cluster that can no longer take work, and its runs go on.

A frozen pusher stands in for every way a django-q2 cluster stalls for good (a lock that
died with a killed worker, a stuck pusher): work waits, the workers sit idle, and nothing
is taken. The watchdog must notice within its stall time and start a fresh cluster.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from executions.models import Execution
from tests.durability import harness
from tests.durability.conftest import start_many
from tests.support import processes

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(600),
]


def _pusher_of(cluster_pid: int) -> int:
    """django-q2's sentinel forks its workers, then the monitor, then the pusher: the last one."""
    [sentinel] = [pid for pid in processes.descendants(cluster_pid) if _parent(pid) == cluster_pid]
    return max(pid for pid in processes.descendants(sentinel) if _parent(pid) == sentinel)


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def test_a_cluster_whose_pusher_froze_is_replaced_and_its_runs_complete(stack):
    cluster = stack.start_cluster(workers=2)
    stack.start_timer()
    ids = [e.pk for e in start_many("durability/mixed", [harness.mixed_input(n) for n in range(6)], name="frozen")]
    time.sleep(1)
    pusher = _pusher_of(cluster.pid)
    os.kill(pusher, signal.SIGSTOP)  # alive, holding its place, taking nothing
    processes.wait_for(lambda: pusher in stack.restarted_clusters(), 120, "the watchdog to replace the cluster")
    harness.wait_all_done(ids, timeout=300, stack=stack)
    harness.assert_mixed_runs_sound(list(Execution.objects.filter(pk__in=ids)), stack.calls(), stack.dead_workers())
    assert "work has waited in the broker" in (stack.tmp / "qcluster-0.log").read_text()
