"""``manage.py retention``: export and delete what is due now; ``--dry-run`` lists it instead."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from executions.retention import services
from executions.retention.models import RunStatus, RunTrigger


class Command(BaseCommand):
    help = "Export finished executions past their retention window to the logging store, then delete them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list what would be exported; change nothing")
        parser.add_argument("--limit", type=int, default=None, help="with --dry-run: list at most this many")

    def handle(self, *args: Any, dry_run: bool, limit: int | None, **options: Any) -> None:
        if dry_run:
            count = 0
            for row in services.preview(limit=limit):
                count += 1
                self.stdout.write(f"{row.uuid}  {row.machine}/{row.name}  {row.status}  stopped {row.stopped_at:%Y-%m-%dT%H:%M:%SZ}")
            self.stdout.write(f"{count} execution(s) would be exported and deleted")
            return
        try:
            run = services.run_retention(trigger=RunTrigger.COMMAND, by="manage.py retention")
        except services.RetentionBusy as busy:
            raise CommandError(f"{busy}; try again when it has finished") from None
        self.stdout.write(
            f"run {run.uuid}: {run.status}; exported {run.executions_exported} execution(s) "
            f"({run.steps_exported} steps, {run.bytes_shipped} bytes, sha256 {run.sha256 or '-'}), "
            f"deleted {run.executions_deleted}"
        )
        if run.status == RunStatus.FAILED:
            raise CommandError(f"export failed, nothing of the failed batch was deleted: {run.error}")
