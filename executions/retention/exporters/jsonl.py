"""JSON Lines files, one per day (UTC, by export time), gzip-compressed, written atomically.

A batch becomes one more gzip member of the day's file (``zcat`` and ``gzip.open`` read
concatenated members as one stream). The file is never appended in place: the old content
and the new member are written to a temporary file in the same folder, flushed to disk,
then renamed over the old one, so a crash leaves either the old file or the new one, never
a torn tail. A lock file serialises two runs writing the same day.
"""

from __future__ import annotations

import fcntl
import gzip
import os
import shutil
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from executions.retention.exporters import ExportFailed
from executions.retention.records import Record

__all__ = ["JsonLinesExporter"]


class JsonLinesExporter:
    def __init__(self, *, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.name = f"jsonl:{self.directory}"

    def path_for(self, now: datetime) -> Path:
        return self.directory / f"executions-{now:%Y-%m-%d}.jsonl.gz"

    def export(self, records: Sequence[Record], *, now: datetime) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.path_for(now)
            with open(self.directory / ".lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                self._append(path, records)
        except OSError as exc:
            raise ExportFailed(f"could not write {self.directory}: {exc}") from exc

    def _append(self, path: Path, records: Sequence[Record]) -> None:
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            with open(tmp, "wb") as out:
                if path.exists():
                    with open(path, "rb") as old:
                        shutil.copyfileobj(old, out, 1024 * 1024)
                with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=6) as member:
                    for record in records:
                        member.write(record.line + b"\n")
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # make the rename itself durable
        finally:
            os.close(directory)
