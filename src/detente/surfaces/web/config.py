"""Settings of the web app: where the database lives, the token, and size limits."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

import platformdirs

#: Largest request body accepted (bytes); larger requests get 413 before they are read.
MAX_REQUEST_BYTES = 2 * 2**20
#: Largest model text accepted (characters).
MAX_MODEL_CHARS = 512 * 2**10
#: Most options a model may have here (2**20 candidate states); more is refused before
#: the states are enumerated.
MAX_OPTIONS = 20
#: Most feasible states a model may have here; more is refused before any analysis.
MAX_STATES = 2**18
#: Models up to this many states are analysed live in the editor as you type.
LIVE_STATES = 20_000
#: Seconds a stopping server waits for requests in flight, and then for running jobs.
SHUTDOWN_GRACE_S, CLOSE_GRACE_S = 2.0, 1.0
#: Bytes of results the server's cache keeps at most (least recently used dropped first).
CACHE_BYTES = 256 * 2**20
#: Largest analysis answer (bytes of JSON) a request or a job may produce; a larger one is
#: refused with its estimated size before it is built.
MAX_ANSWER_BYTES = 32 * 2**20
#: Models with more feasible states than this are analysed only as jobs (not inside a GET).
INLINE_STATES = 20_000
#: Most enumerative work (profiles x states, or pairs of states searched) a GET may do
#: inline; more is refused with the estimate and the job to start instead.
INLINE_WORK = 20_000_000


def default_db_path() -> Path:
    """The database in the user's data directory, e.g. ``~/.local/share/detente/detente.db``."""
    return Path(platformdirs.user_data_dir("detente", appauthor=False)) / "detente.db"


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("::1")
    (True, True, True)
    >>> is_loopback("0.0.0.0"), is_loopback("192.168.1.5")
    (False, False)
    """
    if host.strip().lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """How one server runs. ``token=None`` means no token is asked for (loopback only)."""

    db_path: Path
    token: str | None = None
    max_request_bytes: int = MAX_REQUEST_BYTES
    max_model_chars: int = MAX_MODEL_CHARS
    max_options: int = MAX_OPTIONS
    max_states: int = MAX_STATES
    live_states: int = LIVE_STATES
    job_workers: int = 1
    cache_entries: int = 64
    cache_bytes: int = CACHE_BYTES
    max_answer_bytes: int = MAX_ANSWER_BYTES
    inline_states: int = INLINE_STATES
    inline_work: int = INLINE_WORK
    #: A page waits this long for its version's analysis before showing its progress instead.
    page_wait_s: float = 3.0
    #: Host header names accepted (None: any). ``detente serve`` on loopback sets the
    #: loopback names, so a web page cannot reach the server by DNS rebinding.
    allowed_hosts: tuple[str, ...] | None = None
    #: Secret the pages' CSRF token is derived from (None: a random one per process).
    csrf_secret: bytes | None = None
    #: On a stop signal, requests in flight get this long to finish (seconds, whole) and
    #: then running jobs ``close_grace_s``; what still runs is abandoned (every save is
    #: committed already).
    shutdown_grace_s: float = SHUTDOWN_GRACE_S
    close_grace_s: float = CLOSE_GRACE_S


#: Host names a loopback server answers to.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def allowed_hosts_for(host: str) -> tuple[str, ...] | None:
    """The ``Host`` names a server listening on ``host`` answers to: on loopback, the
    loopback names and the address it was given (``--host 127.0.0.2`` answers to 127.0.0.2);
    elsewhere any name (None: the token guards such a server).

    >>> allowed_hosts_for("127.0.0.2")
    ('127.0.0.1', 'localhost', '::1', '127.0.0.2')
    >>> allowed_hosts_for("0.0.0.0") is None
    True
    """
    if not is_loopback(host):
        return None
    name = host.strip().strip("[]").lower()
    return LOOPBACK_HOSTS if name in LOOPBACK_HOSTS else (*LOOPBACK_HOSTS, name)
