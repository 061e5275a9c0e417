"""The one place that reads configuration: environment variables and an optional `.env`.

Example::

    >>> settings = Settings.from_env({"VICTIM_VOICE_WAREHOUSE": "/tmp/w.duckdb"})
    >>> settings.warehouse
    PosixPath('/tmp/w.duckdb')
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

PREFIX = "VICTIM_VOICE_"
DEFAULT_LANDING = Path("data/landing")
DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")


class ConfigurationError(Exception):
    """Settings are missing or invalid; the message says which and how to fix it."""


DEFAULT_SETTLE_SECONDS = 60
DEFAULT_QUARANTINE_ALERT_SHARE = 0.05
DEFAULT_DELIVERY_DUE_DAY = 2  # due by the end of the 2nd; the run on the 3rd checks


def settle_seconds(text: str) -> float:
    """VICTIM_VOICE_SETTLE_SECONDS as a number of seconds (0 or more)."""
    try:
        value = float(text)
    except ValueError:
        raise ConfigurationError(f"{PREFIX}SETTLE_SECONDS must be a number of seconds, not {text!r}") from None
    if value < 0:
        raise ConfigurationError(f"{PREFIX}SETTLE_SECONDS must be 0 or more")
    return value


DEFAULT_WAIT_SECONDS = 300


def wait_seconds(text: str) -> float:
    """VICTIM_VOICE_WAIT_SECONDS: how long a command waits for the warehouse while another
    process holds it (0 or more seconds).

    >>> wait_seconds("90")
    90.0
    """
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise ConfigurationError(f"{PREFIX}WAIT_SECONDS must be a number of seconds (0 or more), not {text!r}")
    return value


def alert_share(text: str) -> float:
    """VICTIM_VOICE_QUARANTINE_ALERT_SHARE as a fraction from 0 to 1 (``0.05`` or ``5%``).

    >>> alert_share("5%"), alert_share("0.1")
    (0.05, 0.1)
    """
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise ConfigurationError(
            f"{PREFIX}QUARANTINE_ALERT_SHARE must be a share from 0 to 1 (or 0% to 100%), not {text!r}"
        )
    return value


MAX_WORKERS = 64


def available_cpus(cgroup_cpu_max: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """CPUs this process may use: those it may run on, within a container's CPU quota
    (cgroup v2 ``cpu.max``, as ``docker --cpus=2`` sets), at most MAX_WORKERS."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = cgroup_cpu_max.read_text(encoding="ascii").split()[:2]
        if quota != "max":
            cpus = min(cpus, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, min(cpus, MAX_WORKERS))


def worker_count(text: str) -> int:
    """VICTIM_VOICE_WORKERS: processes that prepare large batches of files at once, 1 to 64."""
    text = text.strip()
    if not (text.isdecimal() and text.isascii() and 1 <= int(text) <= MAX_WORKERS):
        raise ConfigurationError(
            f"{PREFIX}WORKERS must be a whole number of processes from 1 to {MAX_WORKERS}, not {text!r}"
        )
    return int(text)


def due_day(text: str) -> int:
    """VICTIM_VOICE_DELIVERY_DUE_DAY as a day of the month, 1 to 28."""
    text = text.strip()
    if not (text.isdecimal() and text.isascii() and 1 <= int(text) <= 28):
        raise ConfigurationError(f"{PREFIX}DELIVERY_DUE_DAY must be a day of the month from 1 to 28, not {text!r}")
    return int(text)


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of a `.env` file (comments and blank lines skipped)."""
    if not path.is_file():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip("'\"")
    secrets = [k for k in values if k in (f"{PREFIX}PSEUDONYM_KEY", f"{PREFIX}DB_KEY")]
    if secrets and path.stat().st_mode & 0o077:
        raise ConfigurationError(
            f"{path} holds {', '.join(secrets)} but other users can read it; run: chmod 600 {path}"
        )
    return values


def default_key_file(environ: Mapping[str, str]) -> Path:
    """Where the pseudonymisation key lives when none is given: the user's config folder."""
    config_home = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "victim-voice" / "pseudonym.key"


@dataclass(frozen=True)
class Settings:
    """Run-time settings. Secrets are never printed (see ``__repr__``)."""

    landing: Path = DEFAULT_LANDING
    warehouse: Path = DEFAULT_WAREHOUSE
    key_file: Path = field(default_factory=lambda: default_key_file(os.environ))
    pseudonym_key: str | None = field(default=None, repr=False)
    db_key: str | None = field(default=None, repr=False)  # encrypts the warehouse file (needs httpfs)
    settle_seconds: float = 0  # a landing file changed more recently is still being uploaded
    quarantine_alert_share: float = DEFAULT_QUARANTINE_ALERT_SHARE  # alert when a file quarantines more
    delivery_due_day: int = DEFAULT_DELIVERY_DUE_DAY  # the previous month's delivery is due by the end of this day
    alert_block: str | None = None  # a Prefect notification block ("type-slug/name") to send alerts to
    workers: int = field(default_factory=available_cpus)  # processes preparing a large batch of files at once
    wait_seconds: float = DEFAULT_WAIT_SECONDS  # how long to wait for the warehouse while another process holds it

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, env_file: Path = Path(".env")) -> Settings:
        """Settings from `.env` overlaid by the process environment (environment wins)."""
        env = {**read_env_file(env_file), **(os.environ if environ is None else environ)}
        return cls(
            landing=Path(env.get(f"{PREFIX}LANDING") or DEFAULT_LANDING),
            warehouse=Path(env.get(f"{PREFIX}WAREHOUSE") or DEFAULT_WAREHOUSE),
            key_file=Path(env.get(f"{PREFIX}PSEUDONYM_KEY_FILE") or default_key_file(env)),
            pseudonym_key=env.get(f"{PREFIX}PSEUDONYM_KEY") or None,
            db_key=env.get(f"{PREFIX}DB_KEY") or None,
            settle_seconds=settle_seconds(env.get(f"{PREFIX}SETTLE_SECONDS", str(DEFAULT_SETTLE_SECONDS))),
            quarantine_alert_share=alert_share(
                env.get(f"{PREFIX}QUARANTINE_ALERT_SHARE", str(DEFAULT_QUARANTINE_ALERT_SHARE))
            ),
            delivery_due_day=due_day(env.get(f"{PREFIX}DELIVERY_DUE_DAY", str(DEFAULT_DELIVERY_DUE_DAY))),
            alert_block=env.get(f"{PREFIX}ALERT_BLOCK") or None,
            workers=worker_count(env[f"{PREFIX}WORKERS"]) if env.get(f"{PREFIX}WORKERS") else available_cpus(),
            wait_seconds=wait_seconds(env.get(f"{PREFIX}WAIT_SECONDS", str(DEFAULT_WAIT_SECONDS))),
        )

    def with_paths(self, landing: Path | None = None, warehouse: Path | None = None) -> Settings:
        """A copy with command-line paths taking precedence over the environment."""
        return replace(self, landing=landing or self.landing, warehouse=warehouse or self.warehouse)

    def with_key_file(self, key_file: Path) -> Settings:
        """A copy whose key comes from ``key_file`` only (the demo's throwaway key)."""
        return replace(self, key_file=key_file, pseudonym_key=None)


# Prefect settings that keep runs local and quiet: no analytics, no "do you want to
# track" calls, no phoning home. Applied before Prefect is imported; explicit values
# in the environment win (a production deployment sets PREFECT_API_URL itself).
PREFECT_OFFLINE_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
    # the first start of the temporary server migrates its database: allow for a slow disk
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def apply_prefect_offline_defaults() -> None:
    """Set the offline Prefect defaults in this process's environment (unless already set)."""
    for name, value in PREFECT_OFFLINE_DEFAULTS.items():
        os.environ.setdefault(name, value)
