"""``kill -9`` of worker processes at random moments while 100 mixed runs go on.

The mixed machine (tests/machines/durability/mixed.json) has a Task, a Choice, a Wait, a
Parallel whose branches Retry and Catch, and a Map of Tasks. Whatever moment a worker
dies at (inside a Task call, inside a transaction, idle), every run must end with its
output, its history must have no gap and no repeat, and the only repeated call must be
one that was in flight in the killed worker, with the same idempotency key.
"""

from __future__ import annotations

import os
import random
import time

import pytest

from executions.models import Execution
from tests.durability import claims, harness
from tests.durability.conftest import start_many

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(900),
]

RUNS = int(os.environ.get("STEPFLOW_TEST_RUNS", "100"))


@pytest.mark.parametrize("seed", [1])
def test_runs_survive_workers_killed_at_random_moments(stack, seed):
    rng = random.Random(seed)
    stack.env["STEPFLOW_TEST_WORK_SECONDS"] = "0.1"
    stack.start_cluster(workers=3)
    stack.start_timer()
    ids = [e.pk for e in start_many("durability/mixed", [harness.mixed_input(n) for n in range(RUNS)], name=f"mixed-{seed}")]
    began = time.monotonic()
    # Kills spread over the run (idle, mid-call, mid-transaction: wherever a worker happens to be).
    while Execution.objects.filter(pk__in=ids, status="RUNNING").exists() and len(stack.killed) < 10:
        time.sleep(rng.uniform(0.3, 4.0))
        stack.kill_a_worker(rng)
    harness.wait_all_done(ids, timeout=float(os.environ.get("STEPFLOW_TEST_DONE_SECONDS", "600")), stack=stack)
    figures = harness.assert_mixed_runs_sound(list(Execution.objects.filter(pk__in=ids)), stack.calls(), stack.dead_workers())
    assert len(stack.killed) >= 3, "the run ended before enough workers could be killed"
    assert claims.overlapping(stack.claims()) == []
    print(f"kill -9 seed {seed}: {figures}, watchdog restarts killed {stack.restarted_clusters()}, "
          f"{time.monotonic() - began:.1f} s")
