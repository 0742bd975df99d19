"""Install and run a local Label Studio (in its own venv) for reviewers."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

from extractor.review.errors import ReviewServerError, ReviewUnreachableError
from extractor.review.settings import (
    CREDENTIALS_FILE,
    DEFAULT_USERNAME,
    INSTALL_SCRIPT,
    LS_DATA_DIR,
    LS_VENV,
    REQUIREMENTS,
)

STAMP_FILE = ".installed-requirements"
# Keep the server offline and quiet: no version check, analytics, Sentry, or sign-up.
QUIET_ENV = {
    "LATEST_VERSION_CHECK": "false",
    "COLLECT_ANALYTICS": "false",
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
    "FEATURE_FLAGS_OFFLINE": "true",
    "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
    "LOG_LEVEL": "WARNING",
}


def label_studio_executable(venv: Path = LS_VENV) -> Path:
    """Path of the ``label-studio`` command inside ``venv``."""
    return venv / "bin" / "label-studio"


def is_installed(venv: Path = LS_VENV) -> bool:
    """True when ``venv`` holds label-studio at the pinned requirements."""
    stamp = venv / STAMP_FILE
    return (
        label_studio_executable(venv).exists()
        and stamp.exists()
        and stamp.read_bytes() == REQUIREMENTS.read_bytes()
    )


def ensure_label_studio(venv: Path = LS_VENV, *, quiet: bool = True) -> Path:
    """Install label-studio into ``venv`` unless it is already there; return the command.

    Runs ``scripts/install_label_studio.sh`` (a few minutes the first time).
    """
    if is_installed(venv):
        return label_studio_executable(venv)
    env = {**os.environ, "LABEL_STUDIO_VENV": str(venv)}
    proc = subprocess.run(
        ["bash", str(INSTALL_SCRIPT), sys.executable],
        env=env,
        capture_output=quiet,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not is_installed(venv):
        tail = (proc.stderr or proc.stdout or "")[-2000:] if quiet else ""
        raise ReviewServerError(
            f"installing Label Studio into {venv} failed (exit {proc.returncode}); "
            f"run {INSTALL_SCRIPT} by hand to see why. {tail}"
        )
    return label_studio_executable(venv)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


@dataclass(frozen=True)
class Credentials:
    """Login and API token of the local reviewer account."""

    username: str
    password: str
    api_key: str


def load_or_create_credentials(
    data_dir: Path, username: str = DEFAULT_USERNAME
) -> Credentials:
    """Reuse ``data_dir/credentials.json`` or create one (random password/token).

    Label Studio applies the token only when it first creates the user, so a
    data folder with a database but no credentials file cannot be reused.
    """
    path = data_dir / CREDENTIALS_FILE
    if path.exists():
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            return Credentials(saved["username"], saved["password"], saved["api_key"])
        except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ReviewServerError(
                f"unreadable credentials ({exc}); delete {data_dir} to start afresh",
                path,
            ) from exc
    if (data_dir / "label_studio.sqlite3").exists():
        raise ReviewServerError(
            f"{data_dir} holds a Label Studio database but no {CREDENTIALS_FILE}; "
            "delete the folder to start afresh or set LABEL_STUDIO_API_KEY and use that server"
        )
    creds = Credentials(username, secrets.token_urlsafe(12), secrets.token_hex(20))
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(
            {
                "username": creds.username,
                "password": creds.password,
                "api_key": creds.api_key,
            },
            fh,
        )
    return creds


def _save_url(data_dir: Path, url: str) -> None:
    path = data_dir / CREDENTIALS_FILE
    saved = json.loads(path.read_text(encoding="utf-8"))
    saved["url"] = url
    path.write_text(json.dumps(saved), encoding="utf-8")


@dataclass
class ServerHandle:
    """A running Label Studio; use as a context manager or call ``stop()``."""

    url: str
    username: str
    password: str
    api_key: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server process (and its process group) started by us."""
        if not self.running():
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _log_tail(path: Path, chars: int = 1500) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return ""


def wait_healthy(
    url: str, process: subprocess.Popen[bytes] | None = None, timeout: float = 180.0
) -> None:
    """Poll ``url/health`` until it answers; fail early if ``process`` dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ReviewServerError(
                f"Label Studio exited with code {process.returncode} before {url} was up"
            )
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise ReviewUnreachableError(
        f"Label Studio at {url} did not become healthy within {timeout:.0f}s"
    )


def start_server(
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    data_dir: Path = LS_DATA_DIR,
    username: str = DEFAULT_USERNAME,
    venv: Path = LS_VENV,
    install: bool = True,
    timeout: float = 180.0,
) -> ServerHandle:
    """Start Label Studio on ``host:port`` (free port if None/0) and wait for health.

    Data (SQLite, media, credentials) lives in ``data_dir``; no browser is opened.
    """
    exe = ensure_label_studio(venv) if install else label_studio_executable(venv)
    if not exe.exists():
        raise ReviewServerError(
            f"label-studio is not installed in {venv}; run {INSTALL_SCRIPT}"
        )
    port = port or free_port(host)
    if port_in_use(host, port):
        raise ReviewServerError(
            f"port {port} on {host} is in use; pass another port (or 0 for a free one)"
        )
    data_dir = Path(data_dir).resolve()
    creds = load_or_create_credentials(data_dir, username)
    url = f"http://{host}:{port}"
    env = {
        **os.environ,
        **QUIET_ENV,
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "LABEL_STUDIO_USERNAME": creds.username,
        "LABEL_STUDIO_PASSWORD": creds.password,
        "LABEL_STUDIO_USER_TOKEN": creds.api_key,
    }
    for var in (
        "LABEL_STUDIO_URL",
        "LABEL_STUDIO_API_KEY",
        "VIRTUAL_ENV",
        "PYTHONPATH",
    ):
        env.pop(var, None)
    log_path = data_dir / "server.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [str(exe), "start", "--no-browser", "--internal-host", host, "--port", str(port),
             "--data-dir", str(data_dir), "--enable-legacy-api-token"],
            cwd=data_dir, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    handle = ServerHandle(
        url, creds.username, creds.password, creds.api_key, data_dir, log_path, process
    )
    try:
        wait_healthy(url, process, timeout)
    except ReviewServerError as exc:
        handle.stop()
        raise ReviewServerError(
            f"{exc.message}; log {log_path}:\n{_log_tail(log_path)}"
        ) from exc
    except BaseException:  # Ctrl-C while waiting: do not leave the server behind
        handle.stop()
        raise
    _save_url(data_dir, url)
    return handle
