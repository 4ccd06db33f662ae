"""The settings the durability tests' real processes run with: stepflow's, plus a record
of every unit of work the runner does, in ``$STEPFLOW_TEST_UNIT_LOG`` (see ``claims.py``)."""

import os

from stepflow.settings import *  # noqa: F403
from stepflow.settings import LOGGING

# Which of the test's clusters this process belongs to (its pid may be recycled).
_CLUSTER = os.environ.get("STEPFLOW_TEST_CLUSTER", "-")

if os.environ.get("STEPFLOW_TEST_UNIT_LOG"):
    LOGGING = {
        **LOGGING,
        "formatters": {**LOGGING["formatters"], "unit": {"format": f"%(created)f %(process)d {_CLUSTER} %(message)s"}},
        "handlers": {
            **LOGGING["handlers"],
            "units": {"class": "logging.FileHandler", "filename": os.environ["STEPFLOW_TEST_UNIT_LOG"], "formatter": "unit"},
        },
        "loggers": {
            **LOGGING["loggers"],
            "executions.runner": {"handlers": ["units"], "level": "DEBUG", "propagate": False},
        },
    }
