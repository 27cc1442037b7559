"""Where a department's webhook may point: this machine, or a network the bureau's administrator allows.

creditnet posts alerts from inside the county's network. An address anyone could register would let a key holder
make the service call any host it can reach (a router's admin page, a cloud's metadata address): the classic
server-side request forgery. So a webhook's host must resolve only to
- a loopback address (an approval system on the same machine), always allowed; or
- an address inside one of the networks listed in CREDITNET_WEBHOOK_ALLOWED_NETWORKS (the county's own network,
  as the administrator decides).
Link-local (169.254.0.0/16, where cloud metadata lives; fe80::/10), multicast and unspecified addresses are
refused even when a listed network covers them. The check runs at registration and again before every delivery,
and a delivery connects to the very address that was checked (no second resolution a DNS answer could change).
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from graph.errors import InvalidRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_URL = 2000


def parse_networks(text: str) -> list[Network]:
    """The administrator's list: addresses or CIDR blocks separated by commas. ValueError names a bad entry."""
    out: list[Network] = []
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        try:
            network = ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise ValueError(f"“{part}” 不是地址或网段 (not an address or CIDR block)") from None
        if network.prefixlen == 0:
            raise ValueError(f"“{part}” 包含所有地址，不能作为允许的网络 (a block of every address is not allowed)")
        out.append(network)
    return out


def _plain(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    return address


def address_allowed(address: Address, networks: list[Network]) -> bool:
    address = _plain(address)
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        return False
    return address.is_loopback or any(address.version == n.version and address in n for n in networks)


@dataclass(frozen=True)
class Target:
    """A webhook URL taken apart, with the address a delivery connects to."""
    scheme: str
    host: str
    port: int
    path: str           # path and query, as sent in the request line
    address: str


def _refuse(url: str, reason: str) -> InvalidRequest:
    return InvalidRequest(f"回调地址“{url[:200]}”不可用：{reason}", {"field": "url"})


def parse_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of an http(s) URL without credentials; InvalidRequest says what is wrong."""
    if not isinstance(url, str) or not url.strip():
        raise _refuse(str(url), "地址为空 (empty URL)")
    url = url.strip()
    if len(url) > MAX_URL or any(ord(ch) < 33 for ch in url):
        raise _refuse(url, "地址过长或含空白、控制字符 (too long, or spaces or control characters)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refuse(url, "不是有效的网址 (not a valid URL)") from None
    if parts.scheme not in ("http", "https"):
        raise _refuse(url, "只支持 http:// 或 https:// 地址 (only http and https)")
    if parts.username is not None or parts.password is not None:
        raise _refuse(url, "地址中不能含用户名或密码，签名密钥已足以验证来源 (no credentials in the URL)")
    if not parts.hostname:
        raise _refuse(url, "缺少主机名 (no host)")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve(url: str, networks: list[Network]) -> Target:
    """The URL's target if every address its host resolves to is allowed; InvalidRequest (in plain Chinese, with
    what to do) otherwise."""
    scheme, host, port, path = parse_url(url)
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise _refuse(url, f"主机名“{host}”无法解析，请检查拼写或本机的域名解析 (the host name does not "
                               f"resolve)") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))
    refused = [a for a in addresses if not address_allowed(a, networks)]
    if refused or not addresses:
        raise _refuse(url, f"地址 {', '.join(str(a) for a in refused)} 不在允许的网络内。只允许本机（127.0.0.1）或"
                           f"管理员在 CREDITNET_WEBHOOK_ALLOWED_NETWORKS 中列出的网络；如需使用本单位网络，请联系县市场"
                           f"监督管理局管理员 (the address is not in an allowed network)")
    return Target(scheme, host, port, path, str(_plain(addresses[0])))
