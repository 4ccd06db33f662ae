"""The timer loop's work: due rows become queued work exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from executions.models import Execution, WaitingFor
from executions.runner import advance_execution
from executions.timers import fire_due

pytestmark = pytest.mark.django_db


def test_a_waiting_row_is_fired_once_when_due_and_not_before(make_machine, start, django_capture_on_commit_callbacks):
    run = start(make_machine("states", "wait"), {})
    execution = Execution.objects.get(uuid=run["id"])
    assert execution.waiting_for == WaitingFor.TIMER
    due = execution.wake_at
    with django_capture_on_commit_callbacks(execute=False) as early:
        assert fire_due(now=due - timedelta(milliseconds=1)) == 0
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert fire_due(now=due) == 1
        # A second timer process scanning at the same moment finds nothing left to fire.
        assert fire_due(now=due) == 0
    assert (len(early), len(queued)) == (0, 1)
    execution.refresh_from_db()
    assert execution.wake_at > due  # pushed one lease ahead, in case the message is lost


def test_a_fired_row_that_was_lost_in_the_queue_fires_again_after_a_lease(make_machine, start, settings, django_capture_on_commit_callbacks):
    run = start(make_machine("states", "wait"), {})
    execution = Execution.objects.get(uuid=run["id"])
    with django_capture_on_commit_callbacks(execute=False):
        fire_due(now=execution.wake_at)
    execution.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert fire_due(now=execution.wake_at) == 1
    assert len(queued) == 1


def test_an_execution_past_its_deadline_is_timed_out_by_the_timer_itself(make_machine, start):
    run = start(make_machine("timeout", "machine_timeout"), {})
    execution = Execution.objects.get(uuid=run["id"])
    assert execution.wake_at == execution.deadline_at
    assert fire_due(now=execution.deadline_at) == 1
    execution.refresh_from_db()
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")


def test_a_row_still_unclaimed_is_refired_after_one_two_four_then_at_most_eight_leases(make_machine, start, settings, django_capture_on_commit_callbacks):
    # Behind a backlog longer than a lease, a copy per lease would grow the queue faster
    # than the workers drain it; backing off still recovers a message that was lost.
    settings.STEPFLOW_CLAIM_LEASE_SECONDS = 10
    run = start(make_machine("states", "wait"), {})
    execution = Execution.objects.get(uuid=run["id"])
    gaps = []
    for _ in range(5):
        due = execution.wake_at
        with django_capture_on_commit_callbacks(execute=False) as queued:
            assert fire_due(now=due) == 1
        assert len(queued) == 1
        execution.refresh_from_db()
        gaps.append((execution.wake_at - due).total_seconds())
    assert gaps == [10, 20, 40, 80, 80]


def test_a_worker_claiming_the_row_resets_its_refire_back_off(make_machine, start, settings, django_capture_on_commit_callbacks):
    settings.STEPFLOW_CLAIM_LEASE_SECONDS = 10
    run = start(make_machine("states", "wait"), {})
    execution = Execution.objects.get(uuid=run["id"])
    with django_capture_on_commit_callbacks(execute=False):
        fire_due(now=execution.wake_at)
        execution.refresh_from_db()
        fire_due(now=execution.wake_at)
    assert Execution.objects.get(pk=execution.pk).timer_fires == 2
    Execution.objects.filter(pk=execution.pk).update(wake_at=timezone.now())
    advance_execution(execution_id=execution.pk)  # the Wait is over: a worker claims and finishes it
    execution.refresh_from_db()
    assert execution.timer_fires == 0
