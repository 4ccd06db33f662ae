"""A big Map on real processes: two worker clusters share its iterations.

Every iteration makes one short Task call (tests/machines/durability/map_of_work.json,
``MaxConcurrency`` 4) and the two clusters have 6 workers between them, so the Map, not
the number of workers, must be what bounds the concurrency. The test checks that the run
completes with every item, that the iterations ran on every worker of both clusters
(counted per worker pid from the call log), that no more than 4 iterations ever ran at
once (from the Task steps' entered/exited times) and that the workers' resident memory
stayed flat while they worked.

Size: ``STEPFLOW_BIG_MAP_ITEMS`` items; by default 1,000 on PostgreSQL + Redis and 300 on
the embedded shape, to keep CI short. The issue's 10,000 runs with
``STEPFLOW_BIG_MAP_ITEMS=10000`` (see bench/README.md).
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest

from executions.models import Execution, ExecutionStatus, Step
from tests.durability import harness
from tests.durability.conftest import start_many
from tests.support import processes

ITEMS_SET = os.environ.get("STEPFLOW_BIG_MAP_ITEMS")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(max(1800, int(ITEMS_SET or 0))),
]
MAX_CONCURRENCY = 4
WORKERS_PER_CLUSTER = 3
# Resident memory may wobble (allocator arenas, caches warming up) but must not grow with
# the number of items done: generous, since a leak of even 1 KiB per item would show at 10,000.
FLAT_MIB = 16


@dataclass
class MemorySampler:
    """Samples the resident memory of every process below the clusters, in a thread."""

    stack: harness.Stack
    every: float = 0.5
    samples: list[tuple[float, int, int, int]] = field(default_factory=list)  # (t, cluster, pid, KiB)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        began = time.monotonic()
        while not self._stop.wait(self.every):
            for index, cluster in enumerate(self.stack.clusters):
                for pid in processes.descendants(cluster.pid):
                    kib = harness.rss_kib(pid)
                    if kib:
                        self.samples.append((time.monotonic() - began, index, pid, kib))

    def cluster_of(self) -> dict[int, int]:
        return {pid: index for _, index, pid, _ in self.samples}

    def growth_mib(self, pids: set[int]) -> dict[int, float]:
        """Per worker pid seen for long enough: median RSS of its last third minus its first third."""
        growth = {}
        for pid in pids:
            kib = [k for _, _, p, k in self.samples if p == pid]
            if len(kib) >= 6:
                third = len(kib) // 3
                growth[pid] = (statistics.median(kib[-third:]) - statistics.median(kib[:third])) / 1024
        return growth


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    """The largest number of intervals open at one moment (an end sorts before a start at a tie)."""
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = peak = 0
    for _, delta in edges:
        running += delta
        peak = max(peak, running)
    return peak


def items() -> int:
    """The Map's size: the environment's, else 1,000 on the scaled shape and 300 embedded
    (SQLite serialises every transition of six workers: the same proof, at CI's cost)."""
    if ITEMS_SET:
        return int(ITEMS_SET)
    return 1000 if harness.is_scaled_out() else 300


def test_a_big_map_spreads_over_every_worker_within_its_max_concurrency_in_flat_memory(stack):
    size = items()
    stack.env["STEPFLOW_TEST_WORK_SECONDS"] = "0.02"
    # Workers as deployed: with DEBUG on, Django keeps each worker's last 9,000 SQL queries
    # (about 25 MiB here), which is a bounded debugging aid, not the growth this test is after.
    stack.env["DJANGO_DEBUG"] = "false"
    for _ in range(2):
        stack.start_cluster(workers=WORKERS_PER_CLUSTER)
    stack.start_timer()
    began = time.monotonic()
    with MemorySampler(stack) as memory:
        run = start_many("durability/map_of_work", [{"items": list(range(size))}])[0]
        harness.wait_all_done([run.pk], timeout=120 + size * 0.5, stack=stack)
    seconds = time.monotonic() - began

    run = Execution.objects.get(pk=run.pk)
    assert run.status == ExecutionStatus.SUCCEEDED, (run.error, run.cause)
    assert run.output == {"count": size, "last": [{"doubled": 2 * (size - 1)}]}

    # Spread: every worker of both clusters ran iterations (a recycled worker is a new pid).
    calls = stack.calls()
    per_pid = Counter(call["pid"] for call in calls)
    assert sum(per_pid.values()) >= size and len({call["key"] for call in calls}) == size
    cluster_of = memory.cluster_of()
    per_cluster = Counter(cluster_of.get(pid, -1) for pid in per_pid.elements())
    assert len(per_pid) >= 2 * WORKERS_PER_CLUSTER, per_pid
    assert per_cluster[0] > 0 and per_cluster[1] > 0, per_cluster

    # MaxConcurrency across all of them, from when each iteration's Task step ran.
    spans = [
        (entered.timestamp(), exited.timestamp())
        for entered, exited in Step.objects.filter(execution=run, state_name="Work").values_list("entered_at", "exited_at")
    ]
    assert len(spans) == size
    peak = most_at_once(spans)
    assert 2 <= peak <= MAX_CONCURRENCY, peak

    # Flat memory: no worker grew between the first and the last third of its life.
    growth = memory.growth_mib(set(per_pid))
    assert growth, "no worker lived long enough to be sampled"
    assert max(growth.values()) < FLAT_MIB, growth
    peak_rss = max(kib for _, _, pid, kib in memory.samples if pid in per_pid) / 1024
    print(
        f"Map over {size} items: {seconds:.1f} s ({size / seconds:.0f} iterations/s); per worker pid "
        f"{dict(sorted(per_pid.items()))}; per cluster {dict(per_cluster)}; at most {peak} at once "
        f"(MaxConcurrency {MAX_CONCURRENCY}); worker RSS peak {peak_rss:.1f} MiB, growth "
        f"{ {pid: round(g, 1) for pid, g in sorted(growth.items())} } MiB"
    )
