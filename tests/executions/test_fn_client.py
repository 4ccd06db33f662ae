"""The Fn client through an in-memory transport: protocol, errors, resolution, headers."""

from __future__ import annotations

import pytest
import requests

from executions.fn import TaskCall, TaskError
from executions.fn_client import FnHttpClient
from executions.fn_transport import Answer, session_for

API = "http://fn.local:8080"


def _call(resource: str = "fn:FNID", payload: object = None, timeout: float = 10.0) -> TaskCall:
    return TaskCall(resource, payload if payload is not None else {"a": 1}, timeout, "exec-1:5", "exec-1", "Charge", 2)


def _client(handler, **extra) -> tuple[FnHttpClient, list[float]]:
    slept: list[float] = []
    client = FnHttpClient(api_url=API, session=session_for(handler), sleep=slept.append, **extra)
    return client, slept


def _error(client: FnHttpClient, call: TaskCall) -> TaskError:
    with pytest.raises(TaskError) as failure:
        client.invoke(call)
    return failure.value


def test_it_posts_the_input_with_stepflows_headers_and_parses_json():
    seen = []
    client, _ = _client(lambda r: seen.append(r) or Answer(200, {"ok": True}, {"Fn-Call-Id": "CALL1"}))
    result = client.invoke(_call())
    assert (result.output, result.call_id) == ({"ok": True}, "CALL1")
    request = seen[0]
    assert (request.method, request.url, request.body) == ("POST", f"{API}/invoke/FNID", b'{"a":1}')
    assert request.headers["Stepflow-Idempotency-Key"] == "exec-1:5"
    assert request.headers["Stepflow-Attempt"] == "2"
    assert request.headers["Stepflow-State-Name"] == "Charge"


def test_a_body_that_is_not_json_is_returned_as_text():
    client, _ = _client(lambda r: Answer(200, "plain"))
    assert client.invoke(_call()).output == "plain"


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (Answer(502, "boom", {"Stepflow-Error": "PaymentDeclined"}), "PaymentDeclined"),
        (Answer(502, "boom"), "States.TaskFailed"),
        (Answer(504, {"message": "Timed out"}), "Fn.Timeout"),
        (Answer(404, {"message": "Fn not found"}), "Fn.NotFound"),
        (Answer(500, "oops"), "Fn.ServerError"),
    ],
)
def test_fn_statuses_become_named_errors(answer, error):
    client, _ = _client(lambda r: answer)
    assert _error(client, _call()).error == error


def test_a_named_error_carries_the_body_as_its_cause():
    client, _ = _client(lambda r: Answer(502, "card expired", {"Stepflow-Error": "PaymentDeclined"}))
    assert _error(client, _call()).cause == "card expired"


def test_too_busy_waits_for_retry_after_without_failing():
    answers = iter([Answer(503, "", {"Retry-After": "2"}), Answer(503, "", {"Retry-After": "1"}), Answer(200, 1)])
    client, slept = _client(lambda r: next(answers))
    assert client.invoke(_call()).output == 1
    assert slept == [2.0, 1.0]


def test_too_busy_past_the_timeout_is_fn_too_busy():
    client, _ = _client(lambda r: Answer(503, "", {"Retry-After": "30"}))
    assert _error(client, _call(timeout=5)).error == "Fn.TooBusy"


def test_unreachable_and_silent_servers_have_their_own_errors():
    def refuse(request):
        raise requests.ConnectionError("Connection refused")

    def silent(request):
        raise requests.ReadTimeout("read timed out")

    assert _error(_client(refuse)[0], _call()).error == "Fn.ConnectionError"
    assert _error(_client(silent)[0], _call()).error == "States.Timeout"


def test_invoke_urls_are_allowed_only_on_known_hosts():
    client, _ = _client(lambda r: Answer(200, 1), allowed_hosts=["fn2.local"])
    assert client.invoke(_call(f"{API}/invoke/X")).output == 1
    assert client.invoke(_call("https://fn2.local/invoke/X")).output == 1
    refused = _error(client, _call("http://169.254.169.254/latest/meta-data"))
    assert refused.error == "Fn.ResourceNotAllowed"
    assert _error(client, _call("arn:aws:lambda:x")).error == "Fn.ResourceNotAllowed"


def test_app_and_function_names_resolve_across_pages_and_are_cached():
    gets = []

    def handler(request):
        if request.method == "GET":
            gets.append(request.url)
            if "/v2/apps" in request.url:
                return Answer(200, {"items": [{"id": "APP", "name": "shop"}], "next_cursor": ""})
            if "cursor=2" not in request.url:
                return Answer(200, {"items": [{"id": "A", "name": "other"}], "next_cursor": "2"})
            return Answer(200, {"items": [{"id": "FN", "name": "charge"}], "next_cursor": ""})
        return Answer(200, request.url)

    client, _ = _client(handler)
    assert client.invoke(_call("fn:shop/charge")).output == f"{API}/invoke/FN"
    client.invoke(_call("fn:shop/charge"))
    assert len(gets) == 3  # apps, fns page 1, fns page 2; the second call used the cache


def test_a_404_refreshes_a_cached_name_and_calls_the_new_id():
    ids = iter(["OLD", "NEW"])
    current = {}

    def handler(request):
        if "/v2/apps" in request.url:
            return Answer(200, {"items": [{"id": "APP", "name": "shop"}]})
        if "/v2/fns" in request.url:
            current["id"] = next(ids)
            return Answer(200, {"items": [{"id": current["id"], "name": "charge"}]})
        return Answer(200, "ok") if request.url.endswith("/NEW") else Answer(404, {"message": "Fn not found"})

    client, _ = _client(handler)
    assert client.invoke(_call("fn:shop/charge")).output == "ok"


def test_a_callback_resource_is_invoked_detached_with_its_token():
    seen = []
    client, _ = _client(lambda r: seen.append(r) or Answer(202, {"call_id": "C"}))
    call = TaskCall("fn:FNID.waitForTaskToken", {}, 10.0, "k", "e", "S", 0, task_token="TOKEN")
    assert client.invoke(call).output is None
    assert seen[0].url == f"{API}/invoke/FNID"
    assert (seen[0].headers["Fn-Invoke-Type"], seen[0].headers["Stepflow-Task-Token"]) == ("detached", "TOKEN")


def test_a_redirect_is_never_followed():
    seen = []
    client, _ = _client(lambda r: seen.append(r) or Answer(307, "", {"Location": "http://169.254.169.254/latest"}))
    failure = _error(client, _call())
    assert failure.error == "Fn.ServerError"
    assert "does not follow redirects" in failure.cause
    assert len(seen) == 1  # nothing was sent to the redirect's target


@pytest.mark.parametrize(
    "url",
    ["http://user:secret@fn.local:8080/invoke/X", "ftp://fn.local/invoke/X", "http://fn.local.evil.example/invoke/X"],
)
def test_invoke_urls_with_credentials_other_schemes_or_lookalike_hosts_are_refused(url):
    seen = []
    client, _ = _client(lambda r: seen.append(r) or Answer(200, 1))
    assert _error(client, _call(url)).error == "Fn.ResourceNotAllowed"
    assert seen == []


def _page(items, cursor=""):
    return Answer(200, {"items": items, "next_cursor": cursor})


def test_it_lists_every_function_of_every_app_following_pages():
    def handler(request):
        url = request.url
        if "/v2/apps" in url:
            if "cursor=" not in url:
                return _page([{"id": "A1", "name": "shop"}], "p2")
            return _page([{"id": "A2", "name": "mail"}, {"id": "A3", "name": "gone"}])
        if "app_id=A1" in url:
            if "cursor=" not in url:
                return _page([{"id": "F1", "name": "refund"}], "p2")
            return _page([{"id": "F2", "name": "charge"}])
        if "app_id=A2" in url:
            return _page([{"id": "F3", "name": "send"}])
        return Answer(404, {"message": "App not found"})  # deleted while we listed: left out

    client, _ = _client(handler)
    assert client.list_functions() == [
        {"app": "mail", "name": "send", "id": "F3", "resource": "fn:mail/send"},
        {"app": "shop", "name": "charge", "id": "F2", "resource": "fn:shop/charge"},
        {"app": "shop", "name": "refund", "id": "F1", "resource": "fn:shop/refund"},
    ]


def test_listing_fails_with_a_list_error_when_fn_cannot_be_reached_or_answers_oddly():
    from executions.fn import ListError

    def refuse(request):
        raise requests.ConnectionError("Connection refused")

    with pytest.raises(ListError, match="could not be reached"):
        _client(refuse)[0].list_functions()
    with pytest.raises(ListError, match="answered 500"):
        _client(lambda r: Answer(500, "oops"))[0].list_functions()
