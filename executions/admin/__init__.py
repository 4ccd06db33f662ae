"""The Django admin for housekeeping: machines, versions, executions, steps, retention runs.

Built for a large database: list filters that never scan the big tables for their choices,
counts capped (``CappedPaginator``, ``show_full_result_count = False``), related rows
joined (``list_select_related``), read-only pretty JSON. Actions call the services and
record each change in Django's admin log with the user who made it.
"""

from executions.admin import executions, machines, retention  # noqa: F401  (registers the admins)
