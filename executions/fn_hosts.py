"""Which hosts the Fn client may call, and the HTTP session that holds it to them.

A Task definition must not be able to make the server call arbitrary addresses, so every
outbound call goes to ``FN_API_URL``'s host or a host ``FN_ALLOWED_HOSTS`` allows:

- an *exact* entry (``fn.example.com``, ``fn.example.com:8080``, ``10.0.0.5``) is trusted
  wherever it resolves, loopback and private networks included: the operator named it.
  Without a port it allows any port. ``FN_API_URL``'s host is always exact.
- a *domain* entry with a leading dot (``.fn.example.com``: that domain and its subdomains,
  as in Django's ``ALLOWED_HOSTS``) or ``*`` (any host) allows only hosts that resolve to
  public addresses. The address is checked when the connection is made and the connection
  goes to the address checked (requests-hardened's ``IPFilterAdapter``), so neither a DNS
  answer nor a rebinding race can point such a host at loopback, a private network or a
  cloud metadata address.

Redirects are never followed (the client sends ``allow_redirects=False``): a redirect
could lead anywhere, so a 3xx answer is an error. URLs with credentials in them
(``http://user@host``) are refused.

::

    HostNotAllowed           the URL's scheme or host is not allowed (before any connection)
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests_hardened.ip_filter import InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter

__all__ = ["HostNotAllowed", "HostPolicy", "InvalidIPAddress"]


class HostNotAllowed(Exception):
    """The URL's scheme or host is not one the operator allowed."""


class HostPolicy:
    """The hosts of ``api_url`` and ``entries`` (``FN_ALLOWED_HOSTS``); see the module docstring."""

    def __init__(self, *, api_url: str, entries: list[str] | tuple[str, ...] = ()) -> None:
        api = urlsplit(api_url)
        # (host, port or None) pairs trusted wherever they resolve
        self.exact: set[tuple[str, int | None]] = {((api.hostname or "").lower(), api.port)}
        self.domains: set[str] = set()  # ".example.com" suffixes; "" for "*"
        for raw in entries:
            entry = raw.strip().lower()
            if not entry:
                continue
            if entry == "*":
                self.domains.add("")
            elif entry.startswith("."):
                self.domains.add(entry)
            else:
                parts = urlsplit(f"//{entry}")
                self.exact.add((parts.hostname or "", parts.port))

    def check(self, url: str) -> bool:
        """Raise ``HostNotAllowed`` unless ``url`` may be called; True when its host is exact
        (trusted wherever it resolves), False when only public addresses may answer."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise HostNotAllowed(f"{url!r} is not an http(s) URL with a host.")
        if parts.username is not None or parts.password is not None:
            raise HostNotAllowed("An invoke URL may not carry credentials.")
        host = parts.hostname.lower()
        if (host, parts.port) in self.exact or (host, None) in self.exact:
            return True
        if "" in self.domains or (not _is_ip(host) and any(host == d[1:] or host.endswith(d) for d in self.domains)):
            return False
        raise HostNotAllowed(f"The host {parts.netloc!r} is not FN_API_URL's host nor allowed by FN_ALLOWED_HOSTS.")

    def session(self) -> requests.Session:
        """A session that connects to exact hosts as they resolve and to every other host only
        at a public address it checked (requests picks the adapter with the longest prefix)."""
        session = requests.Session()
        session.mount("http://", IPFilterAdapter(is_https_proto=False))
        session.mount("https://", IPFilterAdapter(is_https_proto=True))
        plain = HTTPAdapter()
        for host, port in self.exact:
            if not host:
                continue
            name = f"[{host}]" if ":" in host else host
            for scheme in ("http", "https"):
                # "host/" and "host:" (any port) or "host:port/": never a prefix of another host
                for prefix in ([f"{name}/", f"{name}:"] if port is None else [f"{name}:{port}/"]):
                    session.mount(f"{scheme}://{prefix}", plain)
        return session


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
