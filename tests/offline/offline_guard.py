"""A socket guard: any connection to a non-loopback address raises ``NetworkBlocked``.

The course promises that no default path touches the network; the test session runs with
this guard installed, in its own process and in every kernel it starts.
"""

from __future__ import annotations

import ipaddress
import socket


class NetworkBlocked(OSError):
    """Raised when code under test tries to reach the network."""


_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_local(address) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX paths are local
        return True
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode()
    if host in _LOCAL_NAMES or host == "":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost would need DNS


def _guarded(original):
    def connect(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
            raise NetworkBlocked(
                f"network access blocked in tests: connect to {address!r}"
            )
        return original(self, address, *args, **kwargs)

    return connect


def _guarded_getaddrinfo(original):
    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and not _is_local((name,)):
            raise NetworkBlocked(
                f"network access blocked in tests: DNS lookup of {name!r}"
            )
        return original(host, *args, **kwargs)

    return getaddrinfo


def install() -> None:
    """Patch ``socket`` so that only loopback connections are allowed (idempotent)."""
    if getattr(socket.socket.connect, "_scratchvision_guard", False):
        return
    for name in ("connect", "connect_ex"):
        patched = _guarded(getattr(socket.socket, name))
        patched._scratchvision_guard = True
        setattr(socket.socket, name, patched)
    socket.getaddrinfo = _guarded_getaddrinfo(socket.getaddrinfo)
