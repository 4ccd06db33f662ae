"""``manage.py bootstrap``: what a fresh install needs, safe to run any number of times.

Brings the role groups (created by a migration, see ``stepflow/access/roles.py``) up to date with
every permission that exists now, loads every ``examples/machines/*.asl.json`` not yet
present (the file name is the machine name), and creates an ``admin`` superuser when no
superuser exists, printing its generated password once.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from stepflow.access.roles import sync_roles
from workflows import services as workflows
from workflows.exceptions import WorkflowError
from workflows.models import StateMachine

class Command(BaseCommand):
    help = "Sync the role groups' permissions, load the example machines and an admin account if none exists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--machines", default=str(Path(settings.BASE_DIR) / "examples" / "machines"))
        parser.add_argument("--no-admin", action="store_true", help="do not create an admin account")

    def handle(self, *args: Any, machines: str, no_admin: bool, **options: Any) -> None:
        self.create_groups()
        self.load_machines(Path(machines))
        if not no_admin:
            self.create_admin()

    def create_groups(self) -> None:
        """The viewer, operator, editor and admin groups, holding exactly their permissions."""
        sync_roles()

    def load_machines(self, folder: Path) -> None:
        for path in sorted(folder.glob("*.asl.json")):
            name = path.name.removesuffix(".asl.json")
            if StateMachine.objects.named(name).exists():
                continue
            try:
                workflows.create_machine(
                    name=name, definition=path.read_text(), description=_description(path), by=None
                )
            except WorkflowError as exc:
                self.stderr.write(f"{path}: {exc.message} {[p.as_dict() for p in exc.problems]}")
                continue
            self.stdout.write(f"loaded state machine {name!r} from {path.name}")

    def create_admin(self) -> None:
        User = get_user_model()
        with transaction.atomic():
            if User.objects.filter(is_superuser=True).exists():
                return
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(username="admin", email="", password=password)
        self.stdout.write(self.style.WARNING(f"created superuser 'admin' with password: {password}"))
        self.stdout.write("this password is shown once; change it with: manage.py changepassword admin")


def _description(path: Path) -> str:
    try:
        return str(json.loads(path.read_text()).get("Comment", ""))[:1024]
    except (ValueError, AttributeError):
        return ""
