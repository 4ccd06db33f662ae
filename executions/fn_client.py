"""The Fn Project client: Task states call functions on a real (or the local) Fn server.

Resource forms (a ``.waitForTaskToken`` suffix on any of them invokes detached, for the
callback pattern):

- ``fn:<app>/<function>``: resolved through the Fn v2 API (``executions/fn_resolve.py``);
- ``fn:<fnID>``: a function id;
- ``http(s)://host[:port]/invoke/<fnID>``: an invoke URL, only on ``FN_API_URL``'s host or
  a host ``FN_ALLOWED_HOSTS`` allows, so a definition cannot make the server call anywhere
  (``executions/fn_hosts.py``: exact hosts, domains that must resolve to public addresses,
  and no redirects followed).

The protocol is Fn's: ``POST {FN_API_URL}/invoke/{fnID}`` with the task input as JSON.
Outcomes, as the ASL error names Retry and Catch match (``ERRORS`` below):

- 200: success; a JSON body is parsed, any other body is returned as text;
- a ``Stepflow-Error: <Name>`` response header (on 200 or 502): the function failed with
  that error name; the body is the cause (``stepflow_fdk.py`` helps functions set it);
- 502 without it: ``States.TaskFailed``; 504: ``Fn.Timeout``; 404: ``Fn.NotFound``;
- 503 with Retry-After: too busy, so wait and try again until the state's timeout
  (``Fn.TooBusy`` when it runs out); no Retry attempt is spent on it;
- any other 5xx, or a redirect (never followed): ``Fn.ServerError``; no answer at all:
  ``Fn.ConnectionError``;
- the state's TimeoutSeconds passing first: ``States.Timeout``.

Every call sends the headers in ``HEADERS``; the idempotency key is the same when a call is
repeated after a worker crash. I/O goes through a ``requests.Session`` handed in, so tests
mount a transport adapter (``executions/fn_transport.py``) instead of patching.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Final

import requests
from django.conf import settings

from executions.fn import FnFunction, Invoked, ListError, TaskCall, TaskError, fn_function
from executions.fn_hosts import HostNotAllowed, HostPolicy, InvalidIPAddress
from executions.fn_resolve import ResolveError, Resolver

__all__ = ["ERRORS", "ERROR_HEADER", "HEADERS", "FnHttpClient", "from_settings"]

CALLBACK_SUFFIX: Final = ".waitForTaskToken"
ERROR_HEADER: Final = "Stepflow-Error"
HEADERS: Final = {
    "execution": "Stepflow-Execution-Id",
    "state": "Stepflow-State-Name",
    "attempt": "Stepflow-Attempt",
    "key": "Stepflow-Idempotency-Key",
    "token": "Stepflow-Task-Token",
}
ERRORS: Final = {
    "Fn.ConnectionError": "the Fn server could not be reached (refused, reset, DNS)",
    "Fn.Timeout": "Fn answered 504: the function ran past its own timeout",
    "Fn.TooBusy": "Fn kept answering 503 until the state's timeout ran out",
    "Fn.NotFound": "Fn answered 404, or the app or function name resolves to nothing",
    "Fn.ServerError": "Fn answered another 5xx or a redirect (never followed)",
    "Fn.ResourceNotAllowed": "the Resource is not an Fn form, or its invoke URL's host is not allowed",
}
_MAX_CAUSE = 32 * 1024


class FnHttpClient:
    """Calls Fn functions over HTTP; see the module docstring for the contract."""

    def __init__(
        self, *, api_url: str, allowed_hosts: list[str] | tuple[str, ...] = (), session: requests.Session | None = None,
        resolve_ttl: float = 60.0, sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.hosts = HostPolicy(api_url=self.api_url, entries=list(allowed_hosts))
        # A session handed in (a test transport) is used as it is; ours enforces the policy.
        self.session = session or self.hosts.session()
        self.resolver = Resolver(session=self.session, api_url=self.api_url, ttl=resolve_ttl, clock=clock)
        self.sleep = sleep
        self.clock = clock

    def invoke(self, call: TaskCall) -> Any:
        deadline = self.clock() + call.timeout_seconds
        resource = call.resource.removesuffix(CALLBACK_SUFFIX)
        detached = resource != call.resource
        name = _app_function(resource)
        try:
            url = self.url_for(resource)
            response = self._post(url, call, detached, deadline)
            if response.status_code == 404 and name is not None:
                self.resolver.forget(*name)  # the function may have been recreated with a new id
                response = self._post(self.url_for(resource), call, detached, deadline)
        except ResolveError as exc:
            raise TaskError("Fn.NotFound" if exc.not_found else "Fn.ServerError", f"{call.resource}: {exc}") from None
        except InvalidIPAddress as exc:
            raise TaskError(
                "Fn.ResourceNotAllowed",
                f"{call.resource}: the host resolves to {exc}, a loopback, private or reserved address; "
                "name the host exactly in FN_ALLOWED_HOSTS to allow it.",
            ) from None
        except requests.Timeout:
            raise TaskError("States.Timeout", f"The function did not answer within {call.timeout_seconds:g} seconds.") from None
        except requests.ConnectionError as exc:
            raise TaskError("Fn.ConnectionError", f"The Fn server at {self.api_url} could not be reached: {_short(exc)}") from None
        except requests.RequestException as exc:
            raise TaskError("Fn.ConnectionError", f"The call of {call.resource} failed: {_short(exc)}") from None
        return _outcome(response, call, detached)

    def list_functions(self) -> list[FnFunction]:
        """Every function of every app on the Fn server (v2 API, pages followed); raises ``ListError``."""
        try:
            found = self.resolver.list_functions()
        except ResolveError as exc:
            raise ListError(f"Could not list the functions on {self.api_url}: {exc}") from None
        except requests.RequestException as exc:
            raise ListError(f"The Fn server at {self.api_url} could not be reached: {_short(exc)}") from None
        return [fn_function(app=app, name=name, id=fn_id) for app, name, fn_id in found]

    def url_for(self, resource: str) -> str:
        """The invoke URL of a resource (without ``.waitForTaskToken``); raises ``TaskError``."""
        if resource.startswith(("http://", "https://")):
            try:
                self.hosts.check(resource)
            except HostNotAllowed as exc:
                raise TaskError("Fn.ResourceNotAllowed", str(exc)) from None
            return resource
        if not resource.startswith("fn:") or not resource[3:]:
            raise TaskError("Fn.ResourceNotAllowed", f"{resource!r} is not fn:<app>/<function>, fn:<fnID> or an invoke URL.")
        name = _app_function(resource)
        fn_id = self.resolver.resolve(*name) if name is not None else resource[3:]
        return f"{self.api_url}/invoke/{fn_id}"

    def _post(self, url: str, call: TaskCall, detached: bool, deadline: float) -> requests.Response:
        headers = {
            "Content-Type": "application/json",
            HEADERS["execution"]: call.execution_id,
            HEADERS["state"]: _header_safe(call.state_name),
            HEADERS["attempt"]: str(call.attempt),
            HEADERS["key"]: call.idempotency_key,
        }
        if call.task_token:
            headers[HEADERS["token"]] = call.task_token
        if detached:
            headers["Fn-Invoke-Type"] = "detached"
        body = json.dumps(call.payload, separators=(",", ":")).encode()
        while True:
            left = deadline - self.clock()
            if left <= 0:
                raise requests.Timeout()
            response = self.session.post(
                url, data=body, headers=headers, timeout=(min(left, 10.0), left), allow_redirects=False
            )
            if response.status_code != 503:
                return response
            # Too busy: Fn asks us to come back later. This is not a failed attempt.
            wait = _retry_after(response.headers.get("Retry-After"))
            if self.clock() + wait >= deadline:
                raise TaskError(
                    "Fn.TooBusy", f"Fn answered 503 (too busy) until the state's {call.timeout_seconds:g} s timeout ran out."
                )
            self.sleep(wait)


def _outcome(response: requests.Response, call: TaskCall, detached: bool) -> Any:
    call_id = response.headers.get("Fn-Call-Id")
    status = response.status_code
    named = response.headers.get(ERROR_HEADER)
    if named and status in (200, 502):
        raise TaskError(named.strip(), _cause(response), call_id=call_id)
    if status == 200 or (detached and status == 202):
        return Invoked(None if detached else _output(response), call_id)
    if status == 502:
        raise TaskError("States.TaskFailed", f"The function failed (Fn answered 502): {_cause(response)}", call_id=call_id)
    if status == 504:
        raise TaskError("Fn.Timeout", f"Fn timed the function out (504): {_cause(response)}", call_id=call_id)
    if 300 <= status < 400:
        raise TaskError(
            "Fn.ServerError",
            f"Fn answered {status}, a redirect to {response.headers.get('Location', '?')!r}: stepflow does not follow "
            "redirects (set FN_API_URL to the address that answers).",
            call_id=call_id,
        )
    if status == 404:
        raise TaskError("Fn.NotFound", f"Fn knows no function for {call.resource!r} (404).", call_id=call_id)
    if status >= 500:
        raise TaskError("Fn.ServerError", f"Fn answered {status}: {_cause(response)}", call_id=call_id)
    raise TaskError("States.TaskFailed", f"Fn answered {status}: {_cause(response)}", call_id=call_id)


def _output(response: requests.Response) -> Any:
    text = response.content.decode("utf-8", errors="replace")
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _cause(response: requests.Response) -> str:
    text = response.content[:_MAX_CAUSE].decode("utf-8", errors="replace")
    try:  # a JSON string body is the cause itself; Fn's own errors are {"message": ...}
        value = json.loads(text)
    except ValueError:
        return text
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"message"}:
        return str(value["message"])
    return text


def _app_function(resource: str) -> tuple[str, str] | None:
    if not resource.startswith("fn:") or "/" not in resource:
        return None
    app, _, function = resource[3:].partition("/")
    return (app, function) if app and function else None


def _retry_after(value: str | None) -> float:
    try:
        return min(max(float(value or 1), 0.05), 60.0)
    except ValueError:
        return 1.0


def _header_safe(text: str) -> str:
    return text.encode("latin-1", errors="replace").decode("latin-1").replace("\r", " ").replace("\n", " ")


def _short(exc: Exception) -> str:
    return str(exc).split(": ")[-1][:300] or type(exc).__name__


def from_settings() -> FnHttpClient:
    """The client for ``FN_API_URL`` and ``FN_ALLOWED_HOSTS`` (``STEPFLOW_FN_CLIENT``'s default when set)."""
    if not settings.FN_API_URL:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("FN_API_URL must be set to use executions.fn_client")
    return FnHttpClient(
        api_url=settings.FN_API_URL, allowed_hosts=settings.FN_ALLOWED_HOSTS, resolve_ttl=settings.FN_RESOLVE_CACHE_SECONDS
    )
