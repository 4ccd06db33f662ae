"""``manage.py create_token <username> [--name NAME]``: print a new API token's key (once)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stepflow.access import tokens


class Command(BaseCommand):
    help = "Create a named API token for a user and print its key; the key is not stored and not shown again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="a name to tell this token apart (default: cli)")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None
        try:
            _, key = tokens.create_token(user=user, name=name)
        except tokens.TokenError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(key)  # alone on its line: TOKEN=$(manage.py create_token admin)
