"""Where the client sends requests, and how patiently.

The seed API (like the official SDK) works with process-wide defaults, so there is
exactly one default :class:`Config`, reached through :func:`defaults`. Every class that
talks to the network also accepts an explicit ``config=`` for code that wants its own.
"""

from __future__ import annotations

from typing import Any

import dataclasses
import functools
import os
import threading
from collections.abc import Mapping
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies

EMULATOR_URL_ENV = "QINIU_EMULATOR_URL"

# Region z0 (East China) is the region the service assumes when none is discovered.
DEFAULT_API_HOST = "https://api.qiniuapi.com"
DEFAULT_UP_HOST = "https://upload.qiniup.com"
DEFAULT_RS_HOST = "https://rs-z0.qiniuapi.com"
DEFAULT_RSF_HOST = "https://rsf-z0.qiniuapi.com"
DEFAULT_UC_HOST = "https://uc.qiniuapi.com"
DEFAULT_IO_HOST = "https://iovip-z0.qiniuio.com"
# The v3 task API lives on the Dora host (https://developer.qiniu.com/dora/7512).
DEFAULT_DORA_HOST = "https://dora.qiniuapi.com"

_HOST_FIELDS = ("api_host", "up_host", "rs_host", "rsf_host", "uc_host", "io_host", "dora_host")


@dataclasses.dataclass
class Config:
    """Service hosts (``scheme://host[:port]``) and HTTP behaviour for the client.

    ``connection_retries`` is how many times a request is repeated after a connection
    failure or a retryable 5xx; ``connection_pool`` sizes the keep-alive pool.
    """

    api_host: str = DEFAULT_API_HOST
    up_host: str = DEFAULT_UP_HOST
    rs_host: str = DEFAULT_RS_HOST
    rsf_host: str = DEFAULT_RSF_HOST
    uc_host: str = DEFAULT_UC_HOST
    io_host: str = DEFAULT_IO_HOST
    dora_host: str = DEFAULT_DORA_HOST
    connection_timeout: float = 30.0
    connection_retries: int = 2
    connection_pool: int = 10
    #: Ask uc which region serves each bucket and use that region's up, rs, rsf and io
    #: hosts (cached for the answer's ttl), as the official SDKs do; off: the hosts above.
    follow_regions: bool = False
    _session: requests.Session | None = dataclasses.field(
        default=None, init=False, repr=False, compare=False)
    _lock: threading.Lock = dataclasses.field(
        default_factory=threading.Lock, init=False, repr=False, compare=False)
    #: api hosts known to answer the emulator's long-poll (True) or not (False).
    long_poll: dict[str, bool] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False)
    #: api hosts of emulators -> their admin origin (the console and ``/_emulator/``), as
    #: the api host's pointer answer names it.
    admin_hosts: dict[str, str] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False)
    #: (uc host, access key, bucket) -> (its region's hosts, monotonic expiry); see regions.py.
    region_cache: dict[tuple[str, str, str], tuple[Any, float]] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in _HOST_FIELDS:
            setattr(self, name, normalize_host(getattr(self, name), name))
        _check_number("connection_timeout", self.connection_timeout, minimum=0, exclusive=True)
        _check_number("connection_retries", self.connection_retries, minimum=0, integer=True)
        _check_number("connection_pool", self.connection_pool, minimum=1, integer=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Defaults, with every host pointed at ``$QINIU_EMULATOR_URL`` when it is set."""
        environ = os.environ if environ is None else environ
        url = environ.get(EMULATOR_URL_ENV, "").strip()
        if not url:
            return cls()
        try:
            return cls.for_url(url)
        except ValueError as exc:
            raise ValueError(f"{EMULATOR_URL_ENV}: {exc}") from None

    @classmethod
    def for_url(cls, url: str, **options: Any) -> Config:
        """Every service host at ``url`` (an emulator answers them all on one port)."""
        host = normalize_host(url, "url")
        hosts: dict[str, Any] = {name: host for name in _HOST_FIELDS}
        return cls(**hosts, **options)

    def update(self, **changes: Any) -> None:
        """Change fields in place (validated); the HTTP session is rebuilt when needed."""
        candidate = dataclasses.replace(self, **changes)
        with self._lock:
            for name in changes:
                setattr(self, name, getattr(candidate, name))
            if "connection_pool" in changes and self._session is not None:
                self._session.close()
                self._session = None

    def session(self) -> requests.Session:
        """The shared keep-alive session, created on first use."""
        with self._lock:
            if self._session is None:
                self._session = _new_session(self.connection_pool)
            return self._session


def normalize_host(value: str, name: str = "host") -> str:
    """``host[:port]`` or ``scheme://host[:port]`` -> ``scheme://host[:port]`` (http by default)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty URL such as http://127.0.0.1:9000")
    text = value.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must look like http://host[:port], got {value!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{name} must not carry a path or query, got {value!r}")
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ValueError(f"{name} has an invalid port: {value!r}") from None
    return f"{parts.scheme}://{parts.netloc}"


@functools.cache
def defaults() -> Config:
    """The process-wide default configuration (read from the environment once)."""
    return Config.from_env()


def reset_defaults() -> Config:
    """Forget :func:`set_default` changes and re-read the environment."""
    fresh = Config.from_env()
    defaults().update(**{f.name: getattr(fresh, f.name) for f in dataclasses.fields(Config) if f.init})
    return defaults()


def set_default(
    default_api_host: str | None = None,
    default_up_host: str | None = None,
    default_rs_host: str | None = None,
    default_rsf_host: str | None = None,
    default_uc_host: str | None = None,
    default_io_host: str | None = None,
    default_dora_host: str | None = None,
    connection_timeout: float | None = None,
    connection_retries: int | None = None,
    connection_pool: int | None = None,
    follow_regions: bool | None = None,
) -> Config:
    """Change the process-wide defaults; arguments left as None keep their value.

    Values given here win over ``$QINIU_EMULATOR_URL``, which is only read when the
    defaults are first created.
    """
    given = {
        "api_host": default_api_host, "up_host": default_up_host,
        "rs_host": default_rs_host, "rsf_host": default_rsf_host,
        "uc_host": default_uc_host, "io_host": default_io_host, "dora_host": default_dora_host,
        "connection_timeout": connection_timeout,
        "connection_retries": connection_retries, "connection_pool": connection_pool,
        "follow_regions": follow_regions,
    }
    defaults().update(**{k: v for k, v in given.items() if v is not None})
    return defaults()


class _Session(requests.Session):
    """A requests session that looks up proxies in the environment once per host.

    requests decodes every environment variable twice per request to find proxies, a
    noticeable part of a request to a local emulator; the client talks to a handful of
    hosts, so their answers are kept for the session's life (proxy variables set after
    the first request to a host are not seen). Everything else is requests' own rule.
    """

    def __init__(self) -> None:
        super().__init__()
        self._env_proxies: dict[tuple[str, str | None], dict[str, str]] = {}

    def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any,
                                   cert: Any) -> Any:
        if not self.trust_env:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        no_proxy = proxies.get("no_proxy") if proxies is not None else None
        parts = urlsplit(url)
        key = (f"{parts.scheme}://{parts.netloc}", no_proxy)
        found = self._env_proxies.get(key)
        if found is None:
            found = self._env_proxies[key] = get_environ_proxies(url, no_proxy=no_proxy)
        proxies = {**found, **(proxies or {})}
        if verify is True or verify is None:
            verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or verify
        return {"proxies": merge_setting(proxies, self.proxies), "stream": merge_setting(stream, self.stream),
                "verify": merge_setting(verify, self.verify), "cert": merge_setting(cert, self.cert)}


def _new_session(pool_size: int) -> requests.Session:
    session = _Session()
    # Retries are decided per response by the client (only the codes the service
    # marks as retryable), so urllib3's own retrying stays off.
    adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _check_number(name: str, value: object, *, minimum: float, integer: bool = False,
                  exclusive: bool = False) -> None:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ValueError(f"{name} must be a{'n integer' if integer else ' number'}, got {value!r}")
    if value < minimum or (exclusive and value == minimum):
        bound = f"> {minimum}" if exclusive else f">= {minimum}"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
