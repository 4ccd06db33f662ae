"""What the audit trail costs a change: ``start_execution`` with and without its record.

Usage::

    .venv/bin/python bench/audit_overhead.py [--starts 200] [--rounds 7]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/audit_overhead.py

Without ``DATABASE_URL`` (or with it empty) it uses a fresh SQLite file in a temporary
folder; a PostgreSQL database given is left with the rows it made. Each round
starts ``--starts`` executions of a one-state machine through the service (queued work is
not run: the queue insert is part of a start), once as is and once with
``access.audit.record`` replaced by a no-op, alternating which goes first; it prints the
median starts per second of each and their ratio. Both figures come from the same command,
so a loaded machine shifts both; compare the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    if not os.environ.get("DATABASE_URL"):  # never the checkout's own database
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ.setdefault("STEPFLOW_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepflow.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from stepflow.access import audit
    from executions import services
    from workflows import services as workflows

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench-operator")
    machine = workflows.create_machine(
        name=f"audit-bench-{os.getpid()}", definition={"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        by=user,
    )
    real = audit.record

    def rate() -> float:
        began = time.perf_counter()
        for _ in range(args.starts):
            services.start_execution(machine=machine, input={"n": 1}, by=user)
        return args.starts / (time.perf_counter() - began)

    audited: list[float] = []
    bare: list[float] = []
    for round_ in range(args.rounds):
        for with_audit in ((True, False) if round_ % 2 == 0 else (False, True)):
            services.audit.record = real if with_audit else (lambda **kwargs: None)  # type: ignore[attr-defined]
            (audited if with_audit else bare).append(rate())
    services.audit.record = real  # type: ignore[attr-defined]
    shape = "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"
    a, b = statistics.median(audited), statistics.median(bare)
    print(f"shape: {shape}; {args.rounds} rounds of {args.starts} starts")
    print(f"starts/s with audit record:    {a:8.1f} (median)")
    print(f"starts/s without audit record: {b:8.1f} (median)")
    print(f"ratio with/without:            {a / b:8.3f}")


if __name__ == "__main__":
    main()
