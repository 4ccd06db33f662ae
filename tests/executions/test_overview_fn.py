"""The editor palette's Fn functions (executions/overview.py ``fn_functions``)."""

from __future__ import annotations

from typing import Any

import pytest

from executions import fn, overview


class ListingClient:
    """An Fn client whose server has two apps (listed out of order)."""

    def invoke(self, call: fn.TaskCall) -> Any:
        return call.payload

    def list_functions(self) -> list[fn.FnFunction]:
        return [
            fn.fn_function(app="orders", name="ship", id="01B"),
            fn.fn_function(app="billing", name="charge", id="01A"),
        ]


class DownClient(ListingClient):
    """An Fn client whose server does not answer."""

    def list_functions(self) -> list[fn.FnFunction]:
        raise fn.ListError("The Fn server at http://fn.invalid could not be reached: connection refused")


class BrokenClient(ListingClient):
    def list_functions(self) -> list[fn.FnFunction]:
        raise RuntimeError("a bug in the client")


def listing_client() -> ListingClient:
    return ListingClient()


def down_client() -> DownClient:
    return DownClient()


def broken_client() -> BrokenClient:
    return BrokenClient()


@pytest.fixture
def client_named(settings: Any):
    def use(name: str) -> None:
        settings.STEPFLOW_FN_CLIENT = f"{__name__}.{name}"
        settings.STEPFLOW_FN_CLIENT_WRAPPERS = ()

    return use


def test_it_offers_every_function_the_fn_server_lists_with_its_resource(client_named):
    client_named("listing_client")
    assert overview.fn_functions() == {
        "functions": [
            {"app": "billing", "name": "charge", "resource": "fn:billing/charge"},
            {"app": "orders", "name": "ship", "resource": "fn:orders/ship"},
        ],
        "problem": "",
    }


def test_it_says_why_there_are_none_when_the_fn_server_is_down(client_named):
    client_named("down_client")
    palette = overview.fn_functions()
    assert palette["functions"] == []
    assert "could not be reached" in palette["problem"]


def test_a_client_bug_leaves_the_palette_empty_rather_than_the_page_broken(client_named):
    client_named("broken_client")
    palette = overview.fn_functions()
    assert palette["functions"] == []
    assert "a bug in the client" in palette["problem"]
