"""The hosts the Fn client may call: exact entries, domain entries, and what is refused."""

from __future__ import annotations

import pytest

from executions.fn_hosts import HostNotAllowed, HostPolicy

API = "http://fn.internal:8080"


def test_fn_api_urls_host_and_exact_entries_are_trusted_wherever_they_resolve():
    policy = HostPolicy(api_url=API, entries=["10.0.0.5", "fn2.internal:9000"])
    assert policy.check(f"{API}/invoke/X") is True
    assert policy.check("http://10.0.0.5:8080/invoke/X") is True  # no port in the entry: any port
    assert policy.check("https://fn2.internal:9000/invoke/X") is True


def test_domain_entries_allow_their_subdomains_at_public_addresses_only():
    policy = HostPolicy(api_url=API, entries=[".fn.example.com"])
    assert policy.check("https://fn.example.com/invoke/X") is False  # False: public addresses only
    assert policy.check("https://eu.fn.example.com/invoke/X") is False
    with pytest.raises(HostNotAllowed):
        policy.check("https://evilfn.example.com/invoke/X")


@pytest.mark.parametrize(
    "url",
    [
        "http://fn2.internal:9001/invoke/X",  # the entry names another port
        "http://169.254.169.254/latest/meta-data",
        "http://fn.internal:8081/invoke/X",  # FN_API_URL names its port
        "http://user@fn.internal:8080/invoke/X",
        "file:///etc/passwd",
    ],
)
def test_anything_else_is_refused(url):
    policy = HostPolicy(api_url=API, entries=["fn2.internal:9000"])
    with pytest.raises(HostNotAllowed):
        policy.check(url)


def test_a_star_allows_any_host_but_only_at_a_public_address():
    policy = HostPolicy(api_url=API, entries=["*"])
    assert policy.check("http://127.0.0.1:8080/invoke/X") is False
    session = policy.session()
    # Exact hosts connect as they resolve; every other host goes through the address filter.
    assert type(session.get_adapter(f"{API}/invoke/X")).__name__ == "HTTPAdapter"
    assert type(session.get_adapter("http://127.0.0.1:8080/invoke/X")).__name__ == "IPFilterAdapter"
    assert type(session.get_adapter("http://fn.internal.evil.example/x")).__name__ == "IPFilterAdapter"
