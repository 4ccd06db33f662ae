"""The functions a local runner hosts: ``<root>/<app>/<function>/func.py`` and ``func.yaml``.

``func.yaml`` is read for the keys Fn's CLI writes that matter here: ``name``, ``timeout``
(seconds a call may run, default 30), ``idle_timeout`` (seconds a warm process may sit
idle, default 30), ``entrypoint``'s handler (``handler`` unless ``stepflow_handler`` says
otherwise) and the ``config`` map, which reaches the function as environment variables.
Only flat ``key: value`` lines and the one-level ``config:`` block are understood.

Ids are shaped like Fn's (26 upper-case characters) and stable: an app's id hashes its name,
a function's id its app, name and folder. The same folder always gives the same ids, and a
function served from another folder is a new deployment with a new id, as when a function
is deleted and created again on Fn (stepflow then resolves ``fn:<app>/<function>`` anew).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["App", "Function", "discover", "make_id"]


@dataclass(frozen=True)
class Function:
    id: str
    app: str
    app_id: str
    name: str
    folder: Path
    timeout: float = 30.0
    idle_timeout: float = 30.0
    handler: str = "handler"
    config: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class App:
    id: str
    name: str


def make_id(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:26].upper()


def discover(roots: list[Path]) -> tuple[dict[str, App], dict[str, Function]]:
    """Apps and functions by id under every root (a later root cannot shadow an earlier
    root's function of the same app and name; apps of the same name are one app)."""
    apps: dict[str, App] = {}
    functions: dict[str, Function] = {}
    names: set[tuple[str, str]] = set()
    for root in roots:
        for app_dir in sorted(p for p in Path(root).iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
            app = App(make_id("app", app_dir.name), app_dir.name)
            for fn_dir in sorted(p for p in app_dir.iterdir() if (p / "func.py").is_file()):
                spec = _read_yaml(fn_dir / "func.yaml")
                name = str(spec.get("name") or fn_dir.name)
                config = spec.get("config")
                if (app.name, name) in names:
                    continue
                names.add((app.name, name))
                function = Function(
                    id=make_id("fn", app.name, name, str(fn_dir.resolve())), app=app.name, app_id=app.id, name=name, folder=fn_dir,
                    timeout=float(spec.get("timeout") or 30), idle_timeout=float(spec.get("idle_timeout") or 30),
                    handler=str(spec.get("stepflow_handler") or "handler"),
                    config=dict(config) if isinstance(config, dict) else {},
                )
                functions[function.id] = function
                apps.setdefault(app.id, app)
    return apps, functions


def _read_yaml(path: Path) -> dict[str, object]:
    if not path.is_file():
        return {}
    out: dict[str, object] = {}
    block: dict[str, str] | None = None
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, value = line.strip().partition(":")
        value = value.strip().strip("\"'")
        if line[0] in " \t" and block is not None:
            block[key.strip()] = value
            continue
        block = None
        if value:
            out[key.strip()] = value
        else:
            block = {}
            out[key.strip()] = block
    return out
