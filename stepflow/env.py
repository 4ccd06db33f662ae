"""Small helpers that read settings from the environment and fail loudly.

Every helper raises ``ImproperlyConfigured`` naming the variable and the value it could not
use, so a typo in a deployment stops the process at start instead of surfacing later as a
confusing runtime error. Nothing here imports Django models; settings.py uses it.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "env_bool",
    "env_choice",
    "env_float",
    "env_headers",
    "env_int",
    "env_list",
    "env_rate",
    "env_str",
    "env_url",
    "persistent_secret",
]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    """The variable as text; ``required`` makes a missing or empty value an error."""
    value = _raw(name)
    if value:
        return value
    if required or default is None:
        raise ImproperlyConfigured(f"{name} must be set")
    return default


def env_bool(name: str, default: bool) -> bool:
    """``1/true/yes/on`` or ``0/false/no/off`` (any case); anything else is an error."""
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer within [minimum, maximum] when those are given."""
    value = _raw(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None
    _check_range(name, number, minimum, maximum)
    return number


def env_float(
    name: str, default: float, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """A number within [minimum, maximum] when those are given."""
    value = _raw(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None
    _check_range(name, number, minimum, maximum)
    return number


def _check_range(name: str, number: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, not {number}")


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


_RATE = re.compile(r"^[1-9][0-9]*/(second|minute|hour|day)$")


def env_rate(name: str, default: str | None) -> str | None:
    """A request rate for DRF throttling, ``<n>/<second|minute|hour|day>``; ``off`` is None."""
    value = _raw(name)
    if value is None or value == "":
        return default
    if value.lower() == "off":
        return None
    if not _RATE.match(value.lower()):
        raise ImproperlyConfigured(f"{name} must look like 100/minute (second, minute, hour, day) or off, not {value!r}")
    return value.lower()


def env_headers(name: str) -> dict[str, str]:
    """HTTP headers as ``Name: value`` pairs separated by newlines or ``;;`` (empty when unset)."""
    value = _raw(name)
    headers: dict[str, str] = {}
    for item in (value or "").replace(";;", "\n").splitlines():
        if not item.strip():
            continue
        key, sep, text = item.partition(":")
        if not sep or not key.strip() or any(c.isspace() for c in key.strip()):
            raise ImproperlyConfigured(f"{name} must hold 'Name: value' pairs separated by ';;', not {item!r}")
        headers[key.strip()] = text.strip()
    return headers


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """One of ``choices`` (case-insensitive)."""
    value = (_raw(name) or default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_url(name: str, schemes: tuple[str, ...], default: str | None = None) -> str | None:
    """A URL whose scheme is one of ``schemes``; ``None`` when unset and no default."""
    value = _raw(name) or default
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}, "
            f"not {parts.scheme + '://' if parts.scheme else repr(value)}"
        )
    return value


def persistent_secret(path: Path) -> str:
    """A random secret kept in ``path``, created on first use (development only).

    Several processes may start at once (``run_all``), so the file is created with
    ``O_EXCL`` and a loser of that race reads the winner's value.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            text = path.read_text().strip()
            if text:
                return text
            time.sleep(0.01)
        raise ImproperlyConfigured(f"{path} is empty; delete it to generate a new secret") from None
    secret = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret
