"""Run a command against a throw-away PostgreSQL cluster.

    python scripts/pgcluster.py run -- .venv/bin/pytest -m "not browser"

Creates a temporary folder, initialises a cluster in it (trust authentication, UTF-8, no fsync:
the data is thrown away), starts it on a free port listening only on a Unix socket in that
folder, creates a database, exports DATABASE_URL (and PGHOST/PGPORT/PGUSER/PGDATABASE for psql),
runs the command, then stops the cluster and removes the folder, whatever happened. Exits with
the command's exit code.

When run as root the cluster is owned by the `postgres` system user (initdb refuses root); the
command itself runs as the calling user. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import quote

DEFAULT_BIN = "/usr/lib/postgresql/15/bin"
DATABASE = "parindex"
SUPERUSER = "postgres"


@dataclass(frozen=True)
class Cluster:
    folder: Path  # holds the data directory, the socket and the log
    port: int
    database: str

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    @property
    def url(self) -> str:
        # dj-database-url reads a percent-encoded path in the host part as a socket directory.
        host = quote(str(self.folder), safe="")
        return f"postgres://{SUPERUSER}@{host}:{self.port}/{self.database}"

    def environ(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.url,
            "PGHOST": str(self.folder),
            "PGPORT": str(self.port),
            "PGUSER": SUPERUSER,
            "PGDATABASE": self.database,
        }


class ClusterError(RuntimeError):
    pass


def free_port() -> int:
    """A port nobody listens on now (the server binds no TCP port, but the number names the
    socket file and must not clash with another cluster sharing the folder's parent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def as_owner(command: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else command


def run_quietly(command: list[str], *, what: str, log: Path | None = None) -> None:
    result = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # Ctrl-C in the terminal must not reach the server
        check=False,
    )
    if result.returncode != 0:
        details = result.stdout
        if log is not None and log.exists():
            details += "\n--- server log ---\n" + log.read_text(errors="replace")
        raise ClusterError(f"{what} failed (exit {result.returncode}):\n{details}")


def cluster_owner() -> str | None:
    """The system user that runs the server: `postgres` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SUPERUSER)
    except KeyError as exc:
        raise ClusterError(
            "running as root, but there is no 'postgres' system user to own the cluster "
            "(install the postgresql package)"
        ) from exc
    if shutil.which("runuser") is None:
        raise ClusterError("running as root, but 'runuser' is missing")
    return SUPERUSER


@contextmanager
def temporary_cluster(bindir: Path, database: str = DATABASE) -> Iterator[Cluster]:
    for tool in ("initdb", "pg_ctl", "createdb"):
        if not (bindir / tool).is_file():
            raise ClusterError(f"{bindir / tool} not found; install PostgreSQL 15 server binaries")
    owner = cluster_owner()
    # Unix socket paths are limited to about 100 bytes, so keep the folder name short.
    parent = "/tmp" if len(tempfile.gettempdir()) > 40 else None
    folder = Path(tempfile.mkdtemp(prefix="pgcluster-", dir=parent))
    cluster = Cluster(folder=folder, port=free_port(), database=database)
    started = False
    try:
        if owner is not None:
            shutil.chown(folder, user=owner, group=pwd.getpwnam(owner).pw_gid)
        run_quietly(
            as_owner(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(cluster.data),
                    "-U",
                    SUPERUSER,
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ],
                owner,
            ),
            what="initdb",
        )
        options = " ".join(
            [
                f"-p {cluster.port}",
                f"-k {folder}",
                "-c listen_addresses=''",
                # Test data is disposable: trade durability for speed.
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
        )
        started = True  # from here on, always try to stop it
        run_quietly(
            as_owner(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(cluster.data),
                    "-l",
                    str(cluster.log),
                    "-o",
                    options,
                    "-w",
                    "start",
                ],
                owner,
            ),
            what="pg_ctl start",
            log=cluster.log,
        )
        run_quietly(
            [
                str(bindir / "createdb"),
                "-h",
                str(folder),
                "-p",
                str(cluster.port),
                "-U",
                SUPERUSER,
                database,
            ],
            what="createdb",
            log=cluster.log,
        )
        yield cluster
    finally:
        # Ctrl-C from here on must not leave a server or a folder behind.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            if started:
                stop = as_owner(
                    [str(bindir / "pg_ctl"), "-D", str(cluster.data), "-m", "fast", "-w", "stop"],
                    owner,
                )
                subprocess.run(
                    stop,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                    check=False,
                )
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            signal.signal(signal.SIGINT, previous)


def run_command(command: Sequence[str], environ: dict[str, str]) -> int:
    """Run `command` with `environ` added; returns its exit code (128+N if killed by signal N).

    While it runs, Ctrl-C reaches it directly from the terminal (same process group) and is
    ignored here, the way a shell waits for a foreground job; SIGTERM and SIGHUP sent to this
    process are passed on to it. Either way the caller gets to clean up afterwards.
    """
    env = {**os.environ, **environ}
    running: list[subprocess.Popen[bytes]] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        if running and running[0].poll() is None:
            running[0].send_signal(signum)

    def ignore(_signum: int, _frame: FrameType | None) -> None:
        pass

    # Python handlers (unlike SIG_IGN) are reset to the default in the child when it starts.
    handlers = {
        signal.SIGINT: signal.signal(signal.SIGINT, ignore),
        signal.SIGTERM: signal.signal(signal.SIGTERM, forward),
        signal.SIGHUP: signal.signal(signal.SIGHUP, forward),
    }
    try:
        running.append(subprocess.Popen(list(command), env=env))
        code = running[0].wait()
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    return 128 - code if code < 0 else code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="pgcluster", description="Run a command against a temporary PostgreSQL cluster."
    )
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", help="start a cluster, run COMMAND with DATABASE_URL set, stop")
    run.add_argument(
        "--bindir",
        type=Path,
        default=Path(os.environ.get("PARINDEX_PG_BIN", DEFAULT_BIN)),
        help=f"PostgreSQL server binaries (default: $PARINDEX_PG_BIN or {DEFAULT_BIN})",
    )
    run.add_argument("--database", default=DATABASE, help=f"database to create ({DATABASE})")
    run.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")
    args = parser.parse_args(argv)

    command: list[str] = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        parser.error("give the command to run after --")

    try:
        with temporary_cluster(args.bindir, args.database) as cluster:
            print(
                f"pgcluster: PostgreSQL at {cluster.folder} (socket), port {cluster.port}, "
                f"database {cluster.database}",
                file=sys.stderr,
                flush=True,
            )
            return run_command(command, cluster.environ())
    except ClusterError as exc:
        print(f"pgcluster: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pgcluster: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
