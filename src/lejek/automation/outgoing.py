"""HTTP POST to outside URLs that refuses to reach inside the network.

Every host is resolved here and each address it resolves to is checked: private,
loopback, link-local, multicast, unspecified and reserved addresses are refused
unless settings.WEBHOOK_ALLOWED_NETWORKS lists them. The connection then goes to
the address that was checked (a second DNS answer cannot swap it), and
redirects are followed by hand, each new location checked the same way.
Numeric forms such as 127.1, 2130706433 or 0x7f.1 are resolved by the system
resolver to the address they mean, so they are checked like any other.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings

REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 3
MAX_BODY = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The URL points somewhere webhooks may not go."""


@dataclass
class Response:
    status: int
    body: str
    url: str


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (tests replace this to simulate DNS)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"Cannot resolve {host}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(n, strict=False)
        for n in getattr(settings, "WEBHOOK_ALLOWED_NETWORKS", [])
    ]


def _embedded_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address hidden in an IPv4-mapped or 6to4 IPv6 address, if any."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
    return address


def check_address(text: str) -> IPAddress:
    """The address if webhooks may connect to it, else Refused."""
    address = _embedded_ipv4(ipaddress.ip_address(text.split("%", 1)[0]))
    if any(address in network for network in _allowed_networks()):
        return address
    if (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or not address.is_global
    ):
        raise Refused(f"Address {address} is not a public address.")
    return address


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, the first allowed address) for an http(s) URL, else Refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(f"Invalid URL: {exc}") from exc
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise Refused("Only http and https URLs with a host are allowed.")
    if parts.username or parts.password:
        raise Refused("Credentials in the URL are not allowed; use the signing secret.")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(parts.hostname, port)
    if not addresses:
        raise Refused(f"{parts.hostname} has no address.")
    for address in addresses:  # all of them: the client could be handed any
        check_address(address)
    return parts.scheme, parts.hostname, port, addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name, not the pinned address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, body: bytes, headers: dict[str, str], timeout: float | None = None) -> Response:
    """POST `body` to `url`, following up to three checked redirects; Refused or OSError."""
    timeout = timeout or float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, address = check_url(url)
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        kind: Any = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
        connection = kind(host, port, address, timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read(MAX_BODY).decode("utf-8", "replace")
            location = response.getheader("Location")
        finally:
            connection.close()
        if response.status in REDIRECTS and location:
            url = urljoin(url, location)
            continue
        return Response(status=response.status, body=text, url=url)
    raise Refused(f"More than {MAX_REDIRECTS} redirects.")
