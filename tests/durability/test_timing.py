"""Timers and endings on real processes (a qcluster and the timer loop), on either shape.

- A Wait of 2 s fires between 2.0 and 3.0 s after it began, read from its Step's times.
- 1,000 executions waiting at once hold no worker: while they wait nothing is queued,
  no row is claimed, the workers burn no CPU and a fresh run completes at once; then all
  of them wake together and finish.
- A stop (through the API) and a machine-level ``TimeoutSeconds`` end a run that a
  worker is busy advancing, and one parked in a Wait, within 1 s of the request or the
  deadline, and nothing is recorded for the run after that.

The Task-call variants of the last point are in tests/executions/test_worker_processes.py.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from datetime import timezone as tz

import pytest
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf

from executions.models import Event, Execution, ExecutionStatus, Step, WaitingFor
from tests.durability import harness
from tests.durability.conftest import start_many
from tests.durability.measure import cpu_seconds
from tests.support import processes

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]

WAITING_RUNS = 1000


def _status_settles(execution: Execution, seconds: float = 1.0) -> tuple[int, int]:
    """Events and steps of ``execution`` after ``seconds`` more, asserting none appeared."""
    before = (Event.objects.filter(execution=execution).count(), Step.objects.filter(execution=execution).count())
    time.sleep(seconds)
    after = (Event.objects.filter(execution=execution).count(), Step.objects.filter(execution=execution).count())
    assert after == before, f"the run was still recorded after it ended: {before} -> {after}"
    return after


def _wait_for(execution: Execution, condition, timeout: float, what: str) -> None:
    def check() -> bool:
        execution.refresh_from_db()
        return condition(execution)

    processes.wait_for(check, timeout, what)


def test_a_two_second_wait_fires_between_two_and_three_seconds_after_it_began(stack):
    stack.start_cluster(workers=2)
    stack.start_timer()
    runs = []
    for n in range(5):  # staggered, so the waits fall at different phases of the timer's tick
        runs += start_many("durability/wait_2s", [{"n": n}], name=f"wait-2s-{n}")
        time.sleep(0.37)
    harness.wait_all_done([run.pk for run in runs], timeout=60, stack=stack)
    waited = []
    for run in runs:
        run.refresh_from_db()
        assert run.status == ExecutionStatus.SUCCEEDED, (run.error, run.cause)
        nap = Step.objects.get(execution=run, state_name="Nap")
        waited.append((nap.exited_at - nap.entered_at).total_seconds())
    print(f"2 s waits lasted {sorted(round(w, 3) for w in waited)} s")
    assert all(2.0 <= w <= 3.0 for w in waited), waited


def test_a_thousand_waiting_executions_hold_no_worker(stack):
    stack.start_cluster(workers=2)
    stack.start_timer()
    # All wake at one moment, far enough ahead for every run to be started and parked.
    until = timezone.now() + timedelta(seconds=90)
    began = time.monotonic()
    runs = start_many("durability/wait_until", [{"until": until.isoformat(), "n": n} for n in range(WAITING_RUNS)])
    ids = [run.pk for run in runs]
    waiting = Execution.objects.filter(pk__in=ids, waiting_for=WaitingFor.TIMER)
    # They must all be parked a little before they are due, or there is nothing to measure.
    room = (until - timezone.now()).total_seconds() - 5
    processes.wait_for(lambda: waiting.count() == WAITING_RUNS, max(room, 1), f"{WAITING_RUNS} runs to park in their Wait")
    parked_after = time.monotonic() - began

    # Nothing holds a worker: no claim, nothing queued, and the workers sit idle.
    assert not Execution.objects.filter(pk__in=ids, claimed_until__isnull=False).exists()
    assert get_broker(Conf.PREFIX).queue_size() == 0
    workers = stack.all_worker_side_pids()
    spent = sum(cpu_seconds(pid) for pid in workers)
    time.sleep(2.0)
    idle_cpu = sum(cpu_seconds(pid) for pid in workers) - spent
    assert idle_cpu < 0.5, f"{len(workers)} cluster processes used {idle_cpu:.2f} s of CPU in 2 s while runs waited"

    # ... so a fresh run of another machine goes straight through.
    asked = time.monotonic()
    fresh = start_many("durability/three_pass", [{}], name="fresh")[0]
    _wait_for(fresh, lambda e: e.status != ExecutionStatus.RUNNING, 10, "the fresh run to end")
    fresh_seconds = time.monotonic() - asked
    assert fresh.status == ExecutionStatus.SUCCEEDED
    assert waiting.count() == WAITING_RUNS, "a waiting run woke early"

    # Then all of them wake at once, and each fires no earlier than its timestamp.
    harness.wait_all_done(ids, timeout=(until - timezone.now()).total_seconds() + 300, stack=stack)
    assert Execution.objects.filter(pk__in=ids, status=ExecutionStatus.SUCCEEDED).count() == WAITING_RUNS
    woke = Step.objects.filter(execution_id__in=ids, state_name="Nap").values_list("exited_at", flat=True)
    first, last = min(woke), max(woke)
    assert first >= until
    print(
        f"{WAITING_RUNS} runs parked in {parked_after:.1f} s; idle cluster CPU {idle_cpu:.2f} s over 2 s; "
        f"a fresh 3-Pass run took {fresh_seconds * 1000:.0f} ms; all woke within "
        f"{(first - until).total_seconds():.2f}..{(last - until).total_seconds():.2f} s of their timestamp"
    )


def _running(execution: Execution) -> bool:
    return Step.objects.filter(execution=execution).count() >= 20  # a worker is looping through it


def _waiting(execution: Execution) -> bool:
    return execution.waiting_for == WaitingFor.TIMER


@pytest.mark.parametrize(
    ("machine", "input", "busy"),
    [("durability/busy_loop", {"forever": True}, _running), ("durability/long_wait", {"seconds": 120}, _waiting)],
    ids=["running", "waiting"],
)
def test_a_stop_ends_the_execution_within_a_second(stack, alice_api, machine, input, busy):
    stack.start_cluster(workers=2)
    stack.start_timer()
    run = start_many(machine, [input])[0]
    _wait_for(run, lambda e: busy(e), 30, "the run to be under way")
    # This process's first API request loads the URL conf and the views: not the stop's cost.
    assert alice_api.get(f"/api/executions/{run.uuid}/").json()["status"] == "RUNNING"
    asked = datetime.now(tz.utc)
    response = alice_api.post(f"/api/executions/{run.uuid}/stop/", {"cause": "enough"}, format="json")
    answered = datetime.now(tz.utc)
    assert response.status_code == 200, response.content
    run.refresh_from_db()
    assert run.status == ExecutionStatus.ABORTED
    assert asked <= run.stopped_at <= answered
    took = (answered - asked).total_seconds()  # the ABORTED status is committed when the API answers
    assert took <= 1.0, took
    _status_settles(run)
    assert Event.objects.filter(execution=run).order_by("-event_id").first().type == "ExecutionAborted"
    assert not Step.objects.filter(execution=run, exited_at__isnull=True).exists()
    print(f"stop of a {busy.__name__.strip('_')} run: ended {took * 1000:.0f} ms after the request")


@pytest.mark.parametrize(
    ("machine", "input"),
    [("durability/running_with_timeout", {"forever": True}), ("durability/waiting_with_timeout", {})],
    ids=["running", "waiting"],
)
def test_a_machine_timeout_ends_the_execution_within_a_second_of_its_deadline(stack, machine, input):
    stack.start_cluster(workers=2)
    stack.start_timer()
    run = start_many(machine, [input])[0]
    _wait_for(run, lambda e: e.status != ExecutionStatus.RUNNING, 30, "the run to time out")
    assert run.status == ExecutionStatus.TIMED_OUT and run.error == "States.Timeout"
    late = (run.stopped_at - run.deadline_at).total_seconds()
    assert 0.0 <= late <= 1.0, late
    _status_settles(run)
    assert Event.objects.filter(execution=run).order_by("-event_id").first().type == "ExecutionTimedOut"
    steps = Step.objects.filter(execution=run).count()
    print(f"{machine}: timed out {late * 1000:.0f} ms after its deadline, {steps} steps recorded")
