"""Two and four worker clusters on one Redis queue and one PostgreSQL database never
advance the same row at once, even when every row's message is duplicated many times.

Each worker traces the revisions it held per unit of work (``claims.py``): of two units on
one row, one must end before the other begins. The test floods the queue with copies of
every running row's message, so that clusters race for the same rows all the time.
"""

from __future__ import annotations

import time

import pytest

from executions.models import Execution, Frame, FrameStatus
from executions.queue import ADVANCE_EXECUTION, ADVANCE_FRAME, enqueue
from tests.durability import claims, harness
from tests.durability.conftest import start_many

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(600),
]

RUNS = 20


def _flood(ids: list[int]) -> None:
    """A copy of the message of every row still running, for every cluster to race on."""
    for pk in Execution.objects.filter(pk__in=ids, status="RUNNING").values_list("pk", flat=True):
        enqueue(ADVANCE_EXECUTION, pk)
    for pk in Frame.objects.filter(execution__in=ids, status=FrameStatus.RUNNING).values_list("pk", flat=True)[:200]:
        enqueue(ADVANCE_FRAME, pk)


@pytest.mark.parametrize("clusters", [2, 4])
def test_clusters_sharing_one_queue_never_hold_the_same_row_at_once(stack, clusters):
    if not harness.is_scaled_out():
        pytest.skip("the scaled-out shape (PostgreSQL and Redis) is what runs several clusters on one queue")
    for _ in range(clusters):
        stack.start_cluster(workers=2)
    stack.start_timer()
    ids = [e.pk for e in start_many("durability/mixed", [harness.mixed_input(n) for n in range(RUNS)], name=f"many-{clusters}")]
    ends = time.monotonic() + 300
    while Execution.objects.filter(pk__in=ids, status="RUNNING").exists() and time.monotonic() < ends:
        _flood(ids)
        time.sleep(0.25)
    harness.wait_all_done(ids, timeout=420, stack=stack)

    # No kill, so not a single call may be repeated, whatever the duplicates.
    figures = harness.assert_mixed_runs_sound(list(Execution.objects.filter(pk__in=ids)), stack.calls(), killed=[])
    assert figures["repeated"] == 0
    units = stack.claims()
    assert claims.overlapping(units) == []
    # Every cluster took part: the rows really were raced for across clusters.
    per_cluster = [sum(1 for unit in units if unit.cluster == str(i)) for i in range(clusters)]
    assert all(count > 0 for count in per_cluster), per_cluster
    holders: dict[tuple[str, int], set[str]] = {}
    for unit in units:
        holders.setdefault((unit.model, unit.pk), set()).add(unit.cluster)
    shared = sum(1 for held_by in holders.values() if len(held_by) > 1)
    print(f"{clusters} clusters: {len(units)} claims on {len(holders)} rows, per cluster {per_cluster}, "
          f"{shared} rows advanced by more than one cluster, {figures}")
