"""``manage.py sfn_access_key``: issue, list and revoke Step Functions API access keys.

::

    manage.py sfn_access_key create alice --description "CI"   # prints the id and secret, once
    manage.py sfn_access_key list [alice]
    manage.py sfn_access_key revoke AKSF...
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stepflow.sfn import services
from stepflow.sfn.models import AccessKey


class Command(BaseCommand):
    help = "Issue, list or revoke access keys for the AWS Step Functions API (SigV4)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="issue a key to a user; prints the secret once")
        create.add_argument("username")
        create.add_argument("--description", default="")
        listing = sub.add_parser("list", help="list keys (never their secrets)")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="revoke a key at once")
        revoke.add_argument("access_key_id")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        if verb == "create":
            user = get_user_model().objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"There is no user named {options['username']!r}.")
            key = services.issue_access_key(user=user, description=options["description"])
            self.stdout.write(f"aws_access_key_id = {key.access_key_id}")
            self.stdout.write(f"aws_secret_access_key = {key.secret}")
            self.stdout.write(self.style.WARNING("The secret is shown once; store it now."))
        elif verb == "list":
            keys = AccessKey.objects.select_related("user").order_by("created_at")
            if options.get("username"):
                keys = keys.filter(user__username=options["username"])
            for key in keys:
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                self.stdout.write(f"{key.access_key_id}  {key.user.get_username()}  {state}  {key.description}")
        else:
            found = AccessKey.objects.filter(access_key_id=options["access_key_id"])
            if not found.exists():
                raise CommandError(f"There is no access key {options['access_key_id']!r}.")
            if services.revoke_access_keys(keys=found) == 0:
                self.stdout.write("That key was already revoked.")
            else:
                self.stdout.write(f"Revoked {options['access_key_id']}.")
