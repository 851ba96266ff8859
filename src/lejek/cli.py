"""The `lejek` command: run the server and worker, load demo data, manage users."""

import contextlib
import getpass
import os
import signal
import socket
import subprocess
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(
    help="Lejek: a self-hosted CRM built around the sales pipeline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

SOURCE_ROOT = Path(__file__).resolve().parents[2]
PASSTHROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}


class Role(StrEnum):
    admin = "admin"
    manager = "manager"
    rep = "rep"


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]Error:[/red] {message}", soft_wrap=True)
    return typer.Exit(code)


@app.callback()
def setup() -> None:
    """Configure Django before any command runs (not for --help)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lejek.config.settings")
    import django

    django.setup()


def call(*args: Any, **options: Any) -> None:
    from django.core.management import call_command

    call_command(*args, **options)


def database_label() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def migrate(verbosity: int = 0) -> None:
    with console.status(f"Migrating {database_label()}"):
        call("migrate", interactive=False, verbosity=verbosity)


def _bar(label: str = "{task.description}") -> Progress:
    """Progress bars redrawn on each report, not by a thread of their own: the long jobs
    (the summary rebuild of an import or of the demo data, a large CSV export) spread
    their work over forked children only in a process running no other thread."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn())
    return Progress(*columns, TimeElapsedColumn(), console=console, auto_refresh=False)


def _step_bars(label: str = "{task.description}") -> tuple[Progress, Any]:
    """A progress bar per step (a table for backup and restore)."""
    bar = _bar(label)
    tasks: dict[str, Any] = {}

    def progress(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = bar.add_task(step, total=max(total, 1))
        bar.update(tasks[step], completed=done, total=max(total, 1), refresh=True)

    return bar, progress


def load_demo(deals: int, seed: int) -> None:
    """Generate demo data with a progress bar per step, then print what exists."""
    from lejek.demo import generate as demo  # written separately; imported only when used

    started = time.monotonic()
    bar, progress = _step_bars("{task.description:<24}")
    with bar:
        demo.generate(deals=deals, seed=seed, progress=progress)
    console.print(record_counts())
    console.print(f"Demo data loaded in {time.monotonic() - started:.1f} s.")


def record_counts() -> Table:
    from django.apps import apps

    table = Table("records", "count", title="Database")
    for config in apps.get_app_configs():
        if not config.name.startswith("lejek."):
            continue
        for model in config.get_models():
            count = model._default_manager.count()
            if count:
                table.add_row(str(model._meta.verbose_name_plural), f"{count:,}")
    return table


def demo_logins_table() -> Table | None:
    """The demo log-ins that exist in this database (none once the demo users are gone)."""
    from lejek.accounts.models import User

    try:
        from lejek.demo.generate import DEMO_LOGINS
    except ImportError:
        return None
    present = set(
        User.objects.filter(username__in=[u for u, _, _ in DEMO_LOGINS]).values_list(
            "username", flat=True
        )
    )
    if not present:
        return None
    table = Table("user", "password", "role", title="Demo log-ins")
    for username, password, role in DEMO_LOGINS:
        if username in present:
            table.add_row(username, password, role)
    return table


def has_users() -> bool:
    from lejek.accounts.models import User

    return User.objects.exists()


# --- run ------------------------------------------------------------------------------------


def port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def stop_with_parent() -> None:
    """In the child: get SIGTERM if `lejek run` itself dies, so nothing is left serving."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def spawn(args: list[str]) -> subprocess.Popen[bytes]:
    # Own process group: Ctrl-C reaches only `lejek run`, which stops the children in order.
    return subprocess.Popen(args, start_new_session=True, preexec_fn=stop_with_parent)


def stop(children: dict[str, subprocess.Popen[bytes]], timeout: float = 10.0) -> None:
    for proc in children.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in children.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(max(deadline - time.monotonic(), 0.1))
        # Then the whole process group: a server's own worker processes must not outlive it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wait_until_listening(
    host: str, port: int, server: subprocess.Popen[bytes], stopping: list[int]
) -> None:
    """Return once the server accepts connections, dies, or a stop signal arrives."""
    target = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None and not stopping:
        try:
            socket.create_connection((target, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)


def catch_stop_signals() -> list[int]:
    """From now on Ctrl-C / SIGTERM only record themselves; `supervise` acts on them."""
    received: list[int] = []

    def on_signal(signum: int, frame: Any) -> None:
        received.append(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    return received


def supervise(children: dict[str, subprocess.Popen[bytes]], stopping: list[int]) -> int:
    """Wait for Ctrl-C / SIGTERM (exit 0) or for a child to die (stop the rest, exit 1)."""
    while not stopping:
        for name, proc in children.items():
            code = proc.poll()
            if code is not None:
                err.print(f"[red]The {name} stopped (exit code {code}); stopping the rest.[/red]")
                stop(children)
                return 1
        time.sleep(0.3)
    console.print("Stopping…")
    stop(children)
    return 0


@app.command()
def run(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes (0: one per core, up to 4).")] = 0,
    threads: Annotated[int, typer.Option(min=1, help="Request threads per server process.")] = 4,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Do not start the task worker.")
    ] = False,
    demo_deals: Annotated[
        int, typer.Option(help="Deals to generate when the database has no users (0: none).")
    ] = 2000,
) -> None:
    """Migrate, load demo data into an empty database, start the server and the worker."""
    from django.conf import settings

    if not port_free(host, port):
        raise fail(f"{host}:{port} is already in use; choose another with --port.")
    migrate()
    with console.status("Collecting static files"):
        call("collectstatic", interactive=False, verbosity=0)
    if not has_users():
        if settings.PRODUCTION or demo_deals <= 0:
            console.print("The database has no users: create one with `lejek createuser`.")
        else:
            console.print(f"Empty database: loading demo data ({demo_deals:,} deals).")
            load_demo(demo_deals, seed=1)

    server_workers = workers or min(os.cpu_count() or 1, 4)
    stopping = catch_stop_signals()  # before spawning, so no signal leaves a child behind
    children: dict[str, subprocess.Popen[bytes]] = {}
    if not no_worker:
        children["worker"] = spawn(
            [sys.executable, "-m", "django", "db_worker", "--queue-name", "*", "--no-reload"]
        )
    server = ["granian", "--interface", "wsgi", "--host", host, "--port", str(port)]
    server += ["--workers", str(server_workers), "--blocking-threads", str(threads), "--no-ws"]
    server.append("lejek.config.wsgi:application")
    children["server"] = spawn([sys.executable, "-m", *server])
    with console.status("Starting the server"):
        wait_until_listening(host, port, children["server"], stopping)

    shown_host = f"[{host}]" if ":" in host else host
    console.print(f"\nLejek is running at [bold]http://{shown_host}:{port}/[/bold]")
    console.print(f"Data: {settings.DATA_DIR} · database: {database_label()}")
    console.print(f"API docs: http://{shown_host}:{port}/api/v1/docs")
    if host not in settings.ALLOWED_HOSTS and host not in {"0.0.0.0", "::"}:  # noqa: S104
        console.print(f"[yellow]Add {host} to ALLOWED_HOSTS to reach it by that name.[/yellow]")
    logins = demo_logins_table()
    if logins is not None and not settings.PRODUCTION:
        console.print(logins)
    console.print("Press Ctrl-C to stop.\n")
    raise typer.Exit(supervise(children, stopping))


# --- other commands -------------------------------------------------------------------------


@app.command(context_settings=PASSTHROUGH)
def worker(ctx: typer.Context) -> None:
    """Run the background task worker in the foreground (extra options go to db_worker)."""
    from django.core.management import execute_from_command_line

    args = list(ctx.args)
    if not any(a.startswith("--queue-name") for a in args):
        args = ["--queue-name", "*", *args]
    execute_from_command_line(["lejek worker", "db_worker", *args])


@app.command()
def demo(
    deals: Annotated[int, typer.Option(min=0, help="How many deals to generate.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 1,
    reset: Annotated[bool, typer.Option("--reset", help="Delete all existing data first.")] = False,
) -> None:
    """Load deterministic demo data (teams, users, companies, leads, deals, activities)."""
    migrate()
    if reset:
        with console.status("Deleting existing data"):
            call("flush", interactive=False, verbosity=0)
    elif has_users():
        raise fail("the database already has data; pass --reset to replace it with demo data.")
    load_demo(deals, seed=seed)
    logins = demo_logins_table()
    if logins is not None:
        console.print(logins)


@app.command()
def createuser(
    username: Annotated[str, typer.Argument(help="Log-in name.")],
    role: Annotated[Role, typer.Option(help="admin, manager or rep.")],
    team: Annotated[str | None, typer.Option(help="Team name (created if missing).")] = None,
    password: Annotated[str | None, typer.Option(help="Password (asked for when omitted).")] = None,
) -> None:
    """Create a user with a role and, optionally, a team."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from lejek.accounts import services as account_services
    from lejek.accounts.models import Team, User

    migrate()
    if User.objects.filter(username=username).exists():
        raise fail(f"user {username!r} already exists.")
    if password is None:
        if not sys.stdin.isatty():
            raise fail("no terminal to ask for a password: pass --password.")
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password (again): ") != password:
            raise fail("the passwords differ.")
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        raise fail(" ".join(exc.messages)) from exc
    team_obj = Team.objects.get_or_create(name=team)[0] if team else None
    user = account_services.user_create(
        username=username, password=password, role=role.value, team=team_obj
    )
    console.print(
        f"Created {user.get_role_display()} [bold]{user.username}[/bold]"
        + (f" in team {team_obj.name}." if team_obj else ".")
    )


@app.command(name="migrate")
def migrate_command() -> None:
    """Apply database migrations."""
    console.print(f"Database: {database_label()}")
    call("migrate", interactive=False, verbosity=1)


@app.command(context_settings={**PASSTHROUGH, "help_option_names": []})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command: `lejek manage help` lists them."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lejek manage", *ctx.args])


@app.command()
def messages() -> None:
    """Compile the translation catalogs (.po -> .mo) of every app."""
    from lejek.core import messages as catalogs

    written = catalogs.compile_all()
    for path in written:
        console.print(f"compiled {path.relative_to(SOURCE_ROOT)}")
    console.print(f"{len(written)} catalog(s) compiled, {len(catalogs.catalogs())} in all.")


@app.command(name="import")
def import_(
    kind: Annotated[
        str, typer.Argument(help="organization, person, lead, deal, activity or stage_history")
    ],
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX file")],
    user: Annotated[str, typer.Option("--user", help="who imports (and owns by default)")],
    source: Annotated[str, typer.Option(help="source system; external ids are per source")] = (
        "import"
    ),
    duplicates: Annotated[str, typer.Option(help="skip, update or create")] = "update",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check every row, keep nothing")] = (
        False
    ),
    summaries: Annotated[
        str,
        typer.Option(
            help="now, or later: a large deals import leaves the rebuild of the analytics "
            "summaries to the stage-history import that follows it (one rebuild, not two) "
            "or to `lejek rebuild`"
        ),
    ] = "now",
) -> None:
    """Import a CSV or XLSX file batch by batch, with a progress bar (run again to resume)."""
    from lejek.accounts.models import User
    from lejek.core.errors import DomainError
    from lejek.dataio import importer

    if summaries not in ("now", importer.LATER):
        raise fail(f"--summaries is 'now' or 'later', not {summaries!r}.")
    actor = User.objects.filter(username=user, is_active=True).first()
    if actor is None:
        raise fail(f"no active user {user!r}.")
    bar = _bar()
    with bar:
        task = bar.add_task("rows", total=None)

        def progress(done: int, total: int) -> None:
            # The last rows in, the run builds its indexes and the summaries: say so, as the
            # bar (redrawn on reports only) then stands still for a while.
            last = 0 < total <= done and not dry_run
            label = "rows in; building indexes and summaries" if last else "rows"
            bar.update(task, completed=done, total=total, description=label, refresh=True)

        try:
            job = importer.import_file(
                actor=actor,
                kind=kind,
                path=str(path),
                source=source,
                duplicates=duplicates,
                dry=dry_run,
                progress=progress,
                options={"summaries": importer.LATER} if summaries == importer.LATER else None,
            )
        except DomainError as exc:
            raise fail(exc.message) from exc
    report = (job.dry_run if dry_run else job.report) or {}
    console.print({k: v for k, v in report.items() if k not in ("errors", "skipped_rows")})
    for e in report.get("errors", [])[:50]:
        console.print(f"row {e['row']} {e.get('column') or e.get('field')}: {e['message']}")


@app.command()
def backup(
    path: Annotated[
        Path, typer.Argument(dir_okay=False, help="file to write (.jsonl, or .jsonl.gz)")
    ],
) -> None:
    """Back up every table (history, audit log and settings included) to one file."""
    from lejek.dataio import backup as backups

    bar, progress = _step_bars()
    with bar:
        header = backups.backup(path, progress=progress)
    rows = sum(header["tables"].values())
    console.print(f"{rows:,} rows in {len(header['tables'])} tables -> {path}")


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a backup file")],
) -> None:
    """Restore a backup into this empty, migrated instance (run `lejek migrate` first)."""
    from lejek.core.errors import DomainError
    from lejek.dataio import backup as backups

    bar, progress = _step_bars()
    with bar:
        try:
            counts = backups.restore(path, progress=progress)
        except DomainError as exc:
            raise fail(exc.message) from exc
    console.print(f"{sum(counts.values()):,} rows restored in {len(counts)} tables.")


@app.command()
def export(
    table: Annotated[str, typer.Argument(help="a table, e.g. pipelines.deal (see --list)")] = "",
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
    out: Annotated[Path | None, typer.Option("--out", dir_okay=False, help="file to write")] = None,
    list_tables: Annotated[bool, typer.Option("--list", help="list the tables")] = False,
) -> None:
    """Export a whole table to CSV or XLSX (cells safe from spreadsheet formulas)."""
    from lejek.dataio import table_export, tables

    if list_tables or not table:
        for name in tables.names():
            console.print(name)
        return
    target = out or Path(f"{table.replace('.', '_')}.{fmt}")
    bar = _bar()
    with bar:
        task = bar.add_task(table, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, refresh=True)

        try:
            written = table_export.export_table(table, fmt, target, progress=progress)
        except (LookupError, ValueError) as exc:
            raise fail(str(exc)) from exc
    console.print(f"{written:,} rows -> {target}")


@app.command()
def rebuild() -> None:
    """Rebuild the analytics summaries from the stage, status, lead and activity history
    (after bulk loads or an import run with --summaries later, or to check them)."""
    from lejek.analytics import rebuild as analytics_rebuild

    bar, progress = _step_bars()
    with bar:
        counts = analytics_rebuild.rebuild(progress=progress)
    console.print(f"Summaries rebuilt in {analytics_rebuild.described(counts)}.")


@app.command(context_settings=PASSTHROUGH)
def bench(ctx: typer.Context) -> None:
    """Run the benchmarks (benchmarks/run.py in a source checkout)."""
    script = SOURCE_ROOT / "benchmarks" / "run.py"
    if not script.is_file():
        raise fail(f"no benchmarks here: {script} does not exist.")
    result = subprocess.run([sys.executable, str(script), *ctx.args], check=False)
    raise typer.Exit(result.returncode)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
