"""Retention end to end with the default exporter: gzip JSON Lines files, one per day."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from executions.models import Event, Execution, Frame, Step
from executions.retention import services
from executions.retention.exporters.jsonl import JsonLinesExporter
from executions.retention.models import RetentionBatch, RetentionRun, RunStatus, RunTrigger
from workflows.models import StateMachine

pytestmark = pytest.mark.django_db


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing on the way catches it."""


def _lines(directory) -> list[dict]:
    out = []
    for path in sorted(directory.glob("executions-*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            out.extend(json.loads(line) for line in handle)
    return out


def test_it_ships_every_due_run_with_its_steps_then_deletes_exactly_those(retention_dir, hello, finished_run):
    due = [finished_run(hello, days_ago=8 + i, steps=3) for i in range(7)]
    kept = finished_run(hello, days_ago=1)
    run = services.run_retention(trigger=RunTrigger.COMMAND)

    assert run.status == RunStatus.SUCCEEDED
    assert (run.executions_exported, run.steps_exported, run.executions_deleted) == (7, 21, 7)
    files = list(retention_dir.glob("executions-*.jsonl.gz"))
    assert [f.name for f in files] == [f"executions-{timezone.now():%Y-%m-%d}.jsonl.gz"]
    lines = _lines(retention_dir)
    assert [line["id"] for line in lines] == [str(e.uuid) for e in due]
    first = lines[0]
    assert first["machine"] == "api-hello"
    assert first["version"] == 1
    assert first["definition_sha256"] == hello.current_version.definition_sha256
    assert first["input"] == due[0].input and first["output"] == due[0].output
    assert first["status"] == "SUCCEEDED" and first["stopped_at"].endswith("Z")
    assert [s["state_name"] for s in first["steps"]] == ["S0", "S1", "S2"]
    assert first["steps"][0]["input"] == {"i": 0}
    assert list(Execution.objects.values_list("pk", flat=True)) == [kept.pk]
    assert Step.objects.filter(execution_id__in=[e.pk for e in due]).count() == 0


def test_the_manifest_proves_what_was_shipped(retention_dir, hello, finished_run):
    for i in range(5):
        finished_run(hello, days_ago=9)
    run = services.run_retention()
    batches = list(RetentionBatch.objects.filter(run=run).order_by("number"))
    assert [b.executions for b in batches] == [3, 2]
    assert all(b.deleted_at for b in batches)
    raw = b"".join(gzip.open(p).read() for p in sorted(retention_dir.glob("*.jsonl.gz")))
    assert run.sha256 == hashlib.sha256(raw).hexdigest()
    assert run.bytes_shipped == len(raw)
    assert sum(len(b.execution_ids) for b in batches) == 5


def test_two_runs_on_one_day_append_to_the_same_file(retention_dir, hello, finished_run):
    finished_run(hello, days_ago=9)
    services.run_retention()
    finished_run(hello, days_ago=9)
    services.run_retention()
    assert len(list(retention_dir.glob("*.jsonl.gz"))) == 1
    assert len(_lines(retention_dir)) == 2
    assert not list(retention_dir.glob(".*.tmp"))


def test_a_crash_between_export_and_delete_ships_the_same_runs_again_and_loses_none(
    retention_dir, hello, finished_run
):
    runs = [finished_run(hello, days_ago=9) for _ in range(5)]

    def crash(batch):
        raise Crash

    with pytest.raises(Crash):
        services.run_retention(after_export=crash)
    shipped_once = [line["id"] for line in _lines(retention_dir)]
    assert shipped_once == [str(r.uuid) for r in runs[:3]]
    assert Execution.objects.count() == 5  # nothing deleted
    assert RetentionBatch.objects.get().deleted_at is None

    # The next scheduled run comes after the dead run's lease (it is marked abandoned).
    RetentionRun.objects.update(heartbeat_at=timezone.now() - timedelta(hours=1))
    rerun = services.run_retention()
    assert rerun.status == RunStatus.SUCCEEDED
    ids = [line["id"] for line in _lines(retention_dir)]
    assert ids == shipped_once + [str(r.uuid) for r in runs]  # the first three twice, same ids
    lines = _lines(retention_dir)
    assert lines[0] == lines[3]  # byte-for-byte the same record
    assert set(ids) == {str(r.uuid) for r in runs}
    assert Execution.objects.count() == 0


def test_a_failing_exporter_deletes_nothing_and_is_retried_next_run(retention_dir, hello, finished_run):
    finished_run(hello, days_ago=9)
    retention_dir.parent.mkdir(exist_ok=True)
    retention_dir.write_text("a file where the folder should be")
    run = services.run_retention()
    assert run.status == RunStatus.FAILED
    assert "could not write" in run.error
    assert Execution.objects.count() == 1
    assert not RetentionBatch.objects.exists()

    retention_dir.unlink()
    again = services.run_retention()
    assert again.status == RunStatus.SUCCEEDED and again.executions_deleted == 1


def test_the_status_hook_shows_a_failure(retention_dir, hello, finished_run, bob_api):
    finished_run(hello, days_ago=9)
    retention_dir.parent.mkdir(exist_ok=True)
    retention_dir.write_text("in the way")
    services.run_retention()
    body = bob_api.get("/api/retention/").json()
    assert body["healthy"] is False
    assert body["last_failure"]["status"] == "FAILED"
    assert "could not write" in body["last_failure"]["error"]


def test_dry_run_lists_what_would_go_and_changes_nothing(retention_dir, hello, finished_run):
    due = finished_run(hello, days_ago=9)
    finished_run(hello, days_ago=1)
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert str(due.uuid) in out.getvalue()
    assert "1 execution(s) would be exported and deleted" in out.getvalue()
    assert Execution.objects.count() == 2
    assert not retention_dir.exists()
    assert not RetentionRun.objects.exists()


def test_the_command_runs_it_now(retention_dir, hello, finished_run):
    finished_run(hello, days_ago=9)
    out = StringIO()
    call_command("retention", stdout=out)
    assert "SUCCEEDED; exported 1 execution(s)" in out.getvalue()
    assert Execution.objects.count() == 0


def test_the_command_fails_loudly_when_the_export_fails(retention_dir, hello, finished_run):
    finished_run(hello, days_ago=9)
    retention_dir.parent.mkdir(exist_ok=True)
    retention_dir.write_text("in the way")
    with pytest.raises(CommandError, match="nothing of the failed batch was deleted"):
        call_command("retention", stdout=StringIO())


def test_a_real_run_is_exported_with_its_steps_events_and_frames_removed(
    retention_dir, make_machine, start, work
):
    machine = make_machine("api", "hello")
    body = start(machine, {"x": 1})
    execution = work.until_done(body["id"])
    Execution.objects.filter(pk=execution.pk).update(stopped_at=timezone.now() - timezone.timedelta(days=8))
    steps = Step.objects.filter(execution=execution).count()
    assert steps >= 1 and Event.objects.filter(execution=execution).exists()
    run = services.run_retention()
    assert run.steps_exported == steps
    assert not Event.objects.filter(execution_id=execution.pk).exists()
    assert not Frame.objects.filter(execution_id=execution.pk).exists()
    assert _lines(retention_dir)[0]["id"] == body["id"]


def test_deleting_a_machine_exports_its_finished_runs_then_removes_it(
    retention_dir, hello, finished_run, alice_api, work
):
    recent = finished_run(hello, days_ago=0.5)
    held = finished_run(hello, days_ago=0.5, legal_hold=True)
    with work():
        assert alice_api.delete("/api/machines/api-hello/").status_code == 204
    assert [line["id"] for line in _lines(retention_dir)] == [str(recent.uuid)]
    assert list(Execution.objects.values_list("pk", flat=True)) == [held.pk]
    assert StateMachine.objects.filter(pk=hello.pk, deleted_at__isnull=False).exists()  # kept for the held run
    run = RetentionRun.objects.get()
    assert run.trigger == RunTrigger.MACHINE_DELETED

    Execution.objects.filter(pk=held.pk).update(legal_hold=False)
    services.run_retention()
    assert not StateMachine.objects.filter(pk=hello.pk).exists()


def test_the_jsonl_exporter_leaves_no_temporary_file_when_it_fails(tmp_path, hello, retention_dir, finished_run):
    target = tmp_path / "out"
    target.mkdir()
    exporter = JsonLinesExporter(directory=target)
    finished_run(hello, days_ago=9)
    services.run_retention(exporter=exporter)
    day_file = next(target.glob("*.jsonl.gz"))
    good = day_file.read_bytes()
    target.chmod(0o500)  # the rename cannot happen: the old file must stay whole
    try:
        finished_run(hello, days_ago=9)
        run = services.run_retention(exporter=exporter)
    finally:
        target.chmod(0o700)
    if run.status == RunStatus.FAILED:  # (root ignores the mode; then the write simply succeeds)
        assert day_file.read_bytes() == good
        assert Execution.objects.count() == 1
    assert not list(target.glob(".*.tmp"))


def test_an_exporter_bug_is_recorded_like_any_failure(retention_dir, hello, finished_run):
    class Broken:
        name = "broken"

        def export(self, records, *, now):
            raise KeyError("surprise")

    finished_run(hello, days_ago=9)
    run = services.run_retention(exporter=Broken())
    assert run.status == RunStatus.FAILED and "broken raised KeyError" in run.error
    assert Execution.objects.count() == 1


def test_a_batch_is_appended_to_the_day_file_not_rewritten_with_it(tmp_path, hello, retention_dir, finished_run):
    exporter = JsonLinesExporter(directory=tmp_path)
    finished_run(hello, days_ago=9)
    services.run_retention(exporter=exporter)
    day_file = next(tmp_path.glob("*.jsonl.gz"))
    first, inode = day_file.read_bytes(), day_file.stat().st_ino

    finished_run(hello, days_ago=9)
    services.run_retention(exporter=exporter)
    assert day_file.stat().st_ino == inode
    assert day_file.read_bytes().startswith(first)
    assert exporter.committed_length(day_file) == day_file.stat().st_size
    assert len(_lines(tmp_path)) == 2


def test_a_torn_tail_left_by_a_crash_is_cut_before_the_next_batch(tmp_path, hello, retention_dir, finished_run):
    exporter = JsonLinesExporter(directory=tmp_path)
    shipped = finished_run(hello, days_ago=9)
    services.run_retention(exporter=exporter)
    day_file = next(tmp_path.glob("*.jsonl.gz"))
    with open(day_file, "ab") as out:  # the process died halfway through a member
        out.write(gzip.compress(b'{"id": "torn"}\n' * 100)[:40])
    with pytest.raises(EOFError):
        _lines(tmp_path)

    later = finished_run(hello, days_ago=9)
    services.run_retention(exporter=exporter)
    assert [line["id"] for line in _lines(tmp_path)] == [str(shipped.uuid), str(later.uuid)]


def test_a_failed_append_leaves_the_committed_file_as_it_was(tmp_path, hello, retention_dir, finished_run, monkeypatch):
    from executions.retention.exporters import jsonl

    exporter = JsonLinesExporter(directory=tmp_path)
    finished_run(hello, days_ago=9)
    services.run_retention(exporter=exporter)
    day_file = next(tmp_path.glob("*.jsonl.gz"))
    good = day_file.read_bytes()

    def disk_full(target, content):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jsonl, "_replace_atomically", disk_full)
    finished_run(hello, days_ago=9)
    run = services.run_retention(exporter=exporter)
    assert run.status == RunStatus.FAILED and "No space left" in run.error
    assert day_file.read_bytes() == good
    assert Execution.objects.count() == 1
