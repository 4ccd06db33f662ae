"""A local Fn-compatible runner for development and tests (``manage.py fn_runner``).

It serves the parts of Fn's API stepflow uses (``/v2/apps``, ``/v2/fns``,
``/invoke/{fnID}``) and runs Python functions written with the real ``fdk`` package the way
Fn's agent runs them: ``FN_FORMAT=http-stream``, ``FN_LISTENER=unix:<socket>``, each call
forwarded over the unix socket. It is for development, the demo and the tests: it is not a
sandbox, and functions run with the runner's own user and permissions.

- ``registry``: the functions found in a folder (``<app>/<function>/func.py`` + ``func.yaml``);
- ``pool``: warm fdk processes, one per concurrent call up to a limit, killed past their timeout;
- ``server``: the HTTP API.
"""
