"""JSON Lines files, one per day (UTC, by export time), gzip-compressed, committed atomically.

A batch becomes one more gzip member of the day's file (``zcat`` and ``gzip.open`` read
concatenated members as one stream), appended in place so a batch costs its own size, not
the size of the day so far. What makes it atomic is a commit record beside the file,
``.<file>.committed``, holding the length of the file's complete members; it is replaced
by rename only after the new member is on disk:

- a crash while appending leaves a torn tail past the committed length; the next export
  cuts the file back to that length before writing, so the tail never stays in front of
  good data, and the batch (never entered in the run's manifest) is shipped again;
- a failed write (disk full, permissions) is cut back at once and fails the batch.

A lock file serialises two runs writing the same folder.
"""

from __future__ import annotations

import fcntl
import gzip
import os
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

    def committed_length(self, path: Path) -> int:
        """Bytes of ``path`` made of complete batches (all of it for a file without a record)."""
        record = _commit_record(path)
        try:
            return int(record.read_text())
        except FileNotFoundError:
            return path.stat().st_size if path.exists() else 0
        except ValueError as exc:
            raise ExportFailed(f"{record} is corrupt ({exc}); restore or remove it") from exc

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
        committed = self.committed_length(path)
        with open(path, "r+b" if path.exists() else "w+b") as out:
            out.truncate(committed)  # drop a torn tail left by a crash
            out.seek(committed)
            try:
                with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=6) as member:
                    for record in records:
                        member.write(record.line + b"\n")
                out.flush()
                os.fsync(out.fileno())
                _replace_atomically(_commit_record(path), str(out.tell()).encode("ascii"))
            except BaseException:
                out.truncate(committed)
                raise


def _commit_record(path: Path) -> Path:
    return path.with_name(f".{path.name}.committed")


def _replace_atomically(target: Path, content: bytes) -> None:
    tmp = target.with_name(f"{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # make the rename itself durable
    finally:
        os.close(directory)
