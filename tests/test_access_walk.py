"""Every URL pattern and every websocket route, asked by every role and by nobody.

``POLICY`` is the rule for each route and method: the least role that may use it. The walk
takes the routes from Django's resolver and the websocket router, so a new endpoint with
no rule here fails ``test_every_route_has_a_rule`` (deny by default), and a rule that no
longer matches a route fails too. Then each role asks each route and the answer must be
"let in" exactly when the role reaches the rule's level:

- refused: 401 or 403, or a redirect to a sign-in page (``?next=``);
- let in: anything else but a server error (a 400 for an empty body, a 404 for a missing
  object: the permission check comes first, so those prove the door was open).

Unsafe methods name objects that do not exist and send empty bodies, so nothing changes.
The admin site is one rule: staff only (then each model's permissions, which the admin
applies itself); only the admin persona is staff.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from stepflow.access import tokens
from executions.routing import websocket_urlpatterns

ANYONE, SIGNED_IN, VIEWER, OPERATOR, EDITOR, ADMIN = range(6)
# persona fixture -> the level it reaches
PERSONAS = {"anonymous": ANYONE, "charlie": SIGNED_IN, "bob": VIEWER, "olivia": OPERATOR, "alice": EDITOR, "amir": ADMIN}
STAFF_ONLY = "staff"  # the admin site: refused below the admin persona (the only staff one)
# The admin site's one door is "staff?": one persona of each kind asks its ~130 routes.
ADMIN_SITE_ASKERS = ("anonymous", "charlie", "amir")
SIGV4_ONLY = "sigv4"  # the AWS endpoint: a session or an API token opens nothing there
SIGV4_REFUSALS = {
    "MissingAuthenticationTokenException", "IncompleteSignatureException", "InvalidSignatureException",
    "UnrecognizedClientException", "AccessDeniedException",
}

POLICY: dict[str, dict[str, int | str]] = {
    # pages
    "": {"GET": VIEWER},
    "machines/new/": {"GET": EDITOR},
    "machines/<str:name>/": {"GET": VIEWER},
    "machines/<str:name>/edit/": {"GET": EDITOR},
    "executions/<str:execution_id>/": {"GET": VIEWER},
    "account/tokens/": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "account/tokens/<int:token_id>/revoke/": {"POST": SIGNED_IN},
    # (Django's form views take PUT as they take POST)
    "accounts/login/": {"GET": ANYONE, "POST": ANYONE, "PUT": ANYONE},
    "accounts/logout/": {"POST": ANYONE},
    "accounts/password_change/": {"GET": SIGNED_IN, "POST": SIGNED_IN, "PUT": SIGNED_IN},
    "accounts/password_change/done/": {"GET": SIGNED_IN},
    "api-auth/login/": {"GET": ANYONE, "POST": ANYONE, "PUT": ANYONE},
    "api-auth/logout/": {"POST": ANYONE},
    # the REST API
    "api/": {"GET": SIGNED_IN},
    "api/machines/": {"GET": VIEWER, "POST": EDITOR},
    "api/machines/<str:name>/": {"GET": VIEWER, "PUT": EDITOR, "PATCH": EDITOR, "DELETE": EDITOR},
    "api/machines/<str:name>/versions/": {"GET": VIEWER},
    "api/machines/<str:name>/versions/<int:number>/": {"GET": VIEWER},
    "api/machines/<str:name>/executions/": {"GET": VIEWER, "POST": OPERATOR},
    "api/executions/<str:execution_id>/": {"GET": VIEWER, "PATCH": ADMIN},
    "api/executions/<str:execution_id>/stop/": {"POST": OPERATOR},
    "api/executions/<str:execution_id>/steps/": {"GET": VIEWER},
    "api/executions/<str:execution_id>/history/": {"GET": VIEWER},
    "api/retention/": {"GET": VIEWER},
    "api/tasks/success/": {"POST": OPERATOR},
    "api/tasks/failure/": {"POST": OPERATOR},
    "api/tasks/heartbeat/": {"POST": OPERATOR},
    "api/validate/": {"POST": VIEWER},
    "api/tokens/": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "api/tokens/<int:token_id>/": {"DELETE": SIGNED_IN},
    "api/schema/": {"GET": SIGNED_IN},
    "api/schema/docs/": {"GET": SIGNED_IN},
    "api/schema/redoc/": {"GET": SIGNED_IN},
    # the AWS Step Functions API (stepflow/sfn/): signed requests only, then the same permissions
    "aws/": {"POST": SIGV4_ONLY},
    "aws/compatibility/": {"POST": VIEWER},
    # the admin site's own doors; everything else under admin/ is STAFF_ONLY
    "admin/login/": {"GET": ANYONE},
    "admin/logout/": {"POST": ANYONE},
}
WEBSOCKETS: dict[str, int] = {
    "ws/executions/<str:execution_id>/": VIEWER,
    "ws/dashboard/": VIEWER,
}
HANDLERS = ("get", "post", "put", "patch", "delete")


def _routes(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found.extend(_routes(pattern.url_patterns, prefix + str(pattern.pattern)))
        elif isinstance(pattern, URLPattern):
            found.append((prefix + str(pattern.pattern), pattern.callback))
    return found


def _rule(route: str) -> dict[str, int | str]:
    if route in POLICY:
        return POLICY[route]
    if route.startswith("admin/"):
        return {"GET": STAFF_ONLY}
    raise KeyError(route)


def _handlers(callback: Any) -> set[str] | None:
    """The methods a class-based view implements (None for a function view)."""
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view is None:
        return None
    return {m.upper() for m in HANDLERS if hasattr(view, m) and m in view.http_method_names}


URL_ROUTES = _routes(get_resolver().url_patterns)


def test_every_route_has_a_rule_and_every_rule_a_route():
    missing = []
    for route, callback in URL_ROUTES:
        try:
            rule = _rule(route)
        except KeyError:
            missing.append(route)
            continue
        handlers = _handlers(callback)
        if handlers is not None and not route.startswith("admin/") and "RedirectView" not in repr(callback):
            assert set(rule) == handlers, f"{route}: rule covers {sorted(rule)}, the view handles {sorted(handlers)}"
    assert missing == [], f"routes with no access rule in POLICY: {missing}"
    assert set(POLICY) <= {route for route, _ in URL_ROUTES}, "rules for routes that no longer exist"
    assert set(WEBSOCKETS) == {str(p.pattern) for p in websocket_urlpatterns}


def _url(route: str, *, safe: bool, values: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group("name")
        if not safe and name in ("name", "execution_id", "token_id"):
            return {"name": "ghost", "execution_id": str(uuid.uuid4()), "token_id": "999999"}[name]
        return values.get(name, "1")

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, route)
    # The admin's two regex routes: an app's index and the catch-all.
    path = re.sub(r"\^\(\?P<app_label>[^)]*\)/\$", "workflows/", path)
    path = path.replace("(?P<url>.*)$", "nothing-here/")
    return "/" + path


def _let_in(response: Any, *, staff_door: bool = False) -> bool:
    """Whether the answer let the asker in (for the admin site: past its staff check; a
    403 there is a model permission or a read-only model, which the admin decides)."""
    assert response.status_code < 500, f"{response.status_code} from {response.request['PATH_INFO']}"
    if response.status_code in (401, 403):
        return staff_door
    if response.get("Content-Type", "").startswith("application/x-amz-json"):
        return json.loads(response.content).get("__type") not in SIGV4_REFUSALS
    location = response.get("Location", "")
    return not (response.status_code in (301, 302) and "login/" in location and "next=" in location)


def _ask(user: Any, key: str | None, method: str, path: str) -> Any:
    """The API with the persona's token; everything else with a session of theirs."""
    if path.startswith("/api/"):
        api = APIClient()
        if key:
            api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api.generic(method, path, "{}", content_type="application/json")
    client = _sessions.get(user.pk) if user is not None else Client()
    if client is None:
        client = _sessions[user.pk] = Client()
        client.force_login(user)
    response = client.generic(method, path, "", content_type="application/x-www-form-urlencoded")
    if "logout" in path or "password_change" in path:
        _sessions.pop(user.pk if user is not None else None, None)  # that session may have ended
    return response


_sessions: dict[Any, Client] = {}


@pytest.fixture
def people(alice, bob, charlie, olivia, amir) -> dict[str, tuple[Any, str | None, int | None]]:
    """persona -> (user, API key, id of one of their tokens)."""
    out: dict[str, tuple[Any, str | None, int | None]] = {"anonymous": (None, None, None)}
    for who, user in {"alice": alice, "bob": bob, "charlie": charlie, "olivia": olivia, "amir": amir}.items():
        token, key = tokens.create_token(user=user, name="walk")
        out[who] = (user, key, token.pk)
    return out


@pytest.mark.django_db
def test_each_role_gets_in_exactly_where_the_policy_says(people, make_machine, start):
    make_machine("api", "hello", machine_name="hello")
    run = start("hello", {})
    _sessions.clear()
    wrong, asked = [], 0
    for route, _ in URL_ROUTES:
        for method, level in _rule(route).items():
            for who, reaches in PERSONAS.items():
                if level == STAFF_ONLY and who not in ADMIN_SITE_ASKERS:
                    continue
                user, key, token_id = people[who]
                values = {"name": "hello", "number": "1", "execution_id": run["id"], "token_id": str(token_id or 1),
                          "app_label": "workflows"}
                path = _url(route, safe=method == "GET", values=values)
                if level == SIGV4_ONLY:
                    expected = False
                elif level == STAFF_ONLY:
                    expected = who == "amir"
                else:
                    expected = reaches >= level
                asked += 1
                if _let_in(_ask(user, key, method, path), staff_door=level == STAFF_ONLY) != expected:
                    wrong.append(f"{method} {path} as {who}: {'refused' if expected else 'let in'}")
    assert wrong == [], "\n".join(wrong)
    assert asked > 6 * len(POLICY)  # every persona asked every rule's routes (and the admin's)


def _ws_path(route: str, execution_id: str) -> str:
    return "/" + route.replace("<str:execution_id>", execution_id)


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_each_role_opens_exactly_the_websockets_the_policy_says(people, make_machine, start):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.conf import settings

    from stepflow.asgi import application

    await sync_to_async(make_machine)("api", "hello", machine_name="hello")
    run = await sync_to_async(start)("hello", {})

    def cookie(user: Any) -> list[tuple[bytes, bytes]]:
        if user is None:
            return []
        client = Client()
        client.force_login(user)
        value = client.cookies[settings.SESSION_COOKIE_NAME].value
        return [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={value}".encode())]

    wrong = []
    for route, level in WEBSOCKETS.items():
        for who, reaches in PERSONAS.items():
            headers = [(b"origin", b"http://localhost:8000"), *await sync_to_async(cookie)(people[who][0])]
            communicator = WebsocketCommunicator(application, _ws_path(route, run["id"]), headers=headers)
            connected, _ = await communicator.connect(timeout=5)
            await communicator.disconnect()
            if connected != (reaches >= level):
                wrong.append(f"{route} as {who}: {'refused' if reaches >= level else 'let in'}")
    assert wrong == []
