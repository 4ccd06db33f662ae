"""Short-lived run data: finished executions are exported to a logging store, then deleted.

- ``services``: ``run_retention`` (the schedule and ``manage.py retention``),
  ``export_executions`` (admin actions, deleted machines), ``preview`` (``--dry-run``);
- ``records``: the JSON line shipped per execution, read in streamed batches;
- ``exporters``: JSON Lines files (default), HTTP NDJSON, syslog (RFC 5424);
- ``models``: ``RetentionRun`` / ``RetentionBatch``, the manifest shown in the admin;
- ``schedule``: the django-q2 schedule, installed idempotently after ``migrate``;
- ``status``: the dashboard hook (``GET /api/retention/``).

Selection lives on ``ExecutionQuerySet`` (``finished``, ``not_on_hold``, ``due_for_retention``).
"""
