"""Creating, changing and retiring state machines.

Every function takes keyword-only arguments and raises only ``workflows.exceptions``.
Definitions arrive as a JSON object or as JSON text (AWS's API takes text); either way the
stored text is what the author sent (or the object pretty-printed), so their layout and key
order survive, and its SHA-256 identifies the version.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

import stepflow.asl as asl
from stepflow import limits
from stepflow.access import audit
from stepflow.access.models import AuditAction
from workflows.exceptions import (
    DefinitionTooLarge,
    InvalidDefinition,
    InvalidMachineName,
    InvalidRetention,
    MachineAlreadyExists,
    MachineNotFound,
    VersionNotFound,
)
from workflows.models import (
    MACHINE_NAME_PATTERN,
    RETENTION_DAYS_MAX,
    RETENTION_DAYS_MIN,
    StateMachine,
    StateMachineVersion,
)

__all__ = [
    "check_definition",
    "configure_machine",
    "create_machine",
    "destroy_machine",
    "get_machine",
    "get_version",
    "problems_in",
    "retire_machine",
    "update_machine",
]

User = AbstractBaseUser | AnonymousUser | None
_NAME = re.compile(MACHINE_NAME_PATTERN)


def _definition_text(definition: Any) -> str:
    if isinstance(definition, str):
        return definition
    return json.dumps(definition, indent=2, ensure_ascii=False)


def check_definition(*, definition: Any) -> tuple[dict[str, Any], str]:
    """The parsed definition and its text, when it is valid ASL under the size limit.

    Raises ``DefinitionTooLarge`` past ``STEPFLOW_MAX_DEFINITION_BYTES`` and
    ``InvalidDefinition`` (with every problem) otherwise.
    """
    text = _definition_text(definition)
    size = len(text.encode("utf-8", "surrogatepass"))  # a lone surrogate is the validator's to report
    limit = settings.STEPFLOW_MAX_DEFINITION_BYTES
    if size > limit:
        raise DefinitionTooLarge(
            f"The definition is {size} bytes; the limit is {limit} bytes (1 MiB).",
            [asl.Problem("", f"definition is larger than {limit} bytes")],
        )
    if isinstance(definition, str):
        try:
            parsed = limits.parse_json(definition)
        except json.JSONDecodeError as exc:
            problem = asl.Problem("", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
            raise InvalidDefinition("The definition is not valid JSON.", [problem]) from None
        except limits.JSONTooDeep as exc:
            raise InvalidDefinition("The definition is nested too deeply.", [asl.Problem("", str(exc))]) from None
    else:
        parsed = definition
    if not isinstance(parsed, dict):
        raise InvalidDefinition(
            "The definition must be a JSON object.", [asl.Problem("", "a definition must be a JSON object")]
        )
    problems = asl.validate(parsed)
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise InvalidDefinition(f"The definition has {len(problems)} {noun}.", problems)
    count, most = _state_count(parsed), settings.STEPFLOW_MAX_STATES
    if count > most:
        raise DefinitionTooLarge(
            f"The definition has {count} states; the limit is {most}.",
            [asl.Problem("/States", f"{count} states (counting Parallel branches and Map processors); at most {most}")],
        )
    return parsed, text


def _state_count(machine: dict[str, Any]) -> int:
    """States in a valid definition, including those of its branches and processors."""
    count, stack = 0, [machine]
    while stack:
        states = stack.pop()["States"]
        count += len(states)
        for state in states.values():
            stack.extend(state.get("Branches", ()))
            stack.extend(state[key] for key in ("ItemProcessor", "Iterator") if key in state)
    return count


def problems_in(*, definition: Any) -> list[asl.Problem]:
    """Every problem with ``definition`` (size, JSON, ASL); ``[]`` when it is valid."""
    try:
        check_definition(definition=definition)
    except (DefinitionTooLarge, InvalidDefinition) as exc:
        return exc.problems
    return []


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _user(by: User) -> AbstractBaseUser | None:
    return by if by is not None and by.is_authenticated else None  # type: ignore[return-value]


def get_machine(*, name: str) -> StateMachine:
    """The live machine called ``name``; raises ``MachineNotFound``."""
    machine = StateMachine.objects.named(name).select_related("current_version").first()
    if machine is None:
        raise MachineNotFound(f"There is no state machine named {name!r}.")
    return machine


def get_version(*, machine: StateMachine, number: int) -> StateMachineVersion:
    """Version ``number`` of ``machine``; raises ``VersionNotFound``."""
    version = machine.versions.filter(number=number).first()
    if version is None:
        raise VersionNotFound(f"State machine {machine.name!r} has no version {number}.")
    return version


def check_retention_days(*, retention_days: int | None) -> int | None:
    """``retention_days`` when it is empty or a whole number of days in 1-30; raises ``InvalidRetention``."""
    if retention_days is None:
        return None
    if (
        isinstance(retention_days, bool)
        or not isinstance(retention_days, int)
        or not RETENTION_DAYS_MIN <= retention_days <= RETENTION_DAYS_MAX
    ):
        raise InvalidRetention(
            f"The retention window is {RETENTION_DAYS_MIN} to {RETENTION_DAYS_MAX} days.",
            [asl.Problem("/retention_days", f"use a whole number from {RETENTION_DAYS_MIN} to {RETENTION_DAYS_MAX}, or null")],
        )
    return retention_days


_UNCHANGED: Any = object()


def configure_machine(
    *, machine: StateMachine, retention_days: int | None = _UNCHANGED, legal_hold: bool | None = None,
    description: str | None = None, by: User = None,
) -> StateMachine:
    """Change a machine's retention window (``None``: the global default), legal hold or
    description without a new version; raises ``InvalidRetention``. Audited when
    something changed."""
    changes: dict[str, Any] = {}
    if retention_days is not _UNCHANGED:
        changes["retention_days"] = check_retention_days(retention_days=retention_days)
    if legal_hold is not None:
        changes["legal_hold"] = bool(legal_hold)
    if description is not None:
        changes["description"] = description
    changes = {k: v for k, v in changes.items() if getattr(machine, k) != v}
    if changes:
        action = AuditAction.MACHINE_CONFIGURED
        if set(changes) == {"legal_hold"}:
            action = AuditAction.LEGAL_HOLD_SET if changes["legal_hold"] else AuditAction.LEGAL_HOLD_LIFTED
        with transaction.atomic():
            StateMachine.objects.filter(pk=machine.pk).update(**changes, updated_at=timezone.now())
            audit.record(action=action, target=machine, by=by, detail=changes)
        machine.refresh_from_db()
    return machine


def create_machine(
    *, name: str, definition: Any, description: str = "", retention_days: int | None = None, by: User
) -> StateMachine:
    """Create machine ``name`` with ``definition`` as version 1.

    Raises ``InvalidMachineName``, ``DefinitionTooLarge``, ``InvalidDefinition``,
    ``InvalidRetention`` or ``MachineAlreadyExists`` (also when another request created the
    name first).
    """
    retention_days = check_retention_days(retention_days=retention_days)
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidMachineName(
            "A machine name is 1-80 letters, digits, '-' or '_'.",
            [asl.Problem("/name", "use 1-80 letters, digits, '-' or '_'")],
        )
    _, text = check_definition(definition=definition)
    user = _user(by)
    now = timezone.now()
    try:
        with transaction.atomic():
            machine = StateMachine.objects.create(
                name=name, description=description, retention_days=retention_days, created_by=user,
                created_at=now, updated_at=now,
            )
            version = StateMachineVersion.objects.create(
                machine=machine, number=1, definition=text, definition_sha256=_sha256(text), created_by=user,
                created_at=now, comment="",
            )
            machine.current_version = version
            machine.save(update_fields=["current_version"])
            audit.record(action=AuditAction.MACHINE_CREATED, target=machine, by=by, detail={"version": 1})
    except IntegrityError:
        # The unique live-name constraint, hit by a concurrent create with the same name.
        raise MachineAlreadyExists(f"A state machine named {name!r} already exists.") from None
    return machine


def update_machine(
    *, machine: StateMachine, definition: Any, comment: str = "", description: str | None = None, by: User
) -> StateMachineVersion:
    """Make ``definition`` the machine's new current version (the next number).

    Running executions keep the version they started on.
    """
    _, text = check_definition(definition=definition)
    now = timezone.now()
    with transaction.atomic():
        # Lock the machine row so two concurrent updates get consecutive numbers.
        locked = StateMachine.objects.select_for_update().get(pk=machine.pk)
        last = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = StateMachineVersion.objects.create(
            machine=locked, number=last + 1, definition=text, definition_sha256=_sha256(text),
            comment=comment, created_by=_user(by), created_at=now,
        )
        changes: dict[str, Any] = {"current_version": version, "updated_at": now}
        if description is not None:
            changes["description"] = description
        StateMachine.objects.filter(pk=machine.pk).update(**changes)
        audit.record(action=AuditAction.MACHINE_UPDATED, target=locked, by=by, detail={"version": version.number})
    machine.refresh_from_db()
    return version


def retire_machine(*, machine: StateMachine) -> None:
    """Hide the machine and free its name, keeping its rows for the runs that used it."""
    now = timezone.now()
    StateMachine.objects.filter(pk=machine.pk, deleted_at__isnull=True).update(deleted_at=now, updated_at=now)


def destroy_machine(*, machine: StateMachine) -> None:
    """Delete the machine and its versions; only for a machine no execution refers to."""
    with transaction.atomic():
        StateMachine.objects.filter(pk=machine.pk).update(current_version=None)
        machine.versions.all().delete()
        StateMachine.objects.filter(pk=machine.pk).delete()

