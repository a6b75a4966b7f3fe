"""Command-line tasks: accounts, the demo county, roster checks and imports."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

import planner
from quarantine.demo import load_demo
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.jobs.queue import backend_name
from quarantine.jobs.worker import run_worker
from quarantine.models import ROLES, PlanRun, Site, TransferBatch, User
from quarantine.roster.report import format_report
from quarantine.transfers import planning
from quarantine.transfers.roster_import import check_roster, import_roster
from quarantine.transfers.scenario import build_scenario, pending_batches
from quarantine.users.services import create_user, reset_password

users_cli = AppGroup("users", help="Manage accounts.")
demo_cli = AppGroup("demo", help="Demonstration data.")
roster_cli = AppGroup("roster", help="Check and import transfer rosters.")
plan_cli = AppGroup("plan", help="Planning runs and exchange files for the planner.")
jobs_cli = AppGroup("jobs", help="The job queue's workers.")
data_cli = AppGroup("data", help="Data retention.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="admin", show_default=True)
@click.option("--name", "display_name", default="")
def create_user_command(username: str, role: str, display_name: str) -> None:
    """Create an account with a generated password, printed once."""
    if db.session.scalar(select(func.count(User.id)).where(User.username == username)):
        click.echo(f"Error: user {username!r} already exists; choose another name.", err=True)
        sys.exit(1)
    user, password = create_user(username, role, display_name)
    click.echo(f"Created {role} account '{user.username}'. Password (shown only now): {password}")


@users_cli.command("ensure-admin")
def ensure_admin_command() -> None:
    """Create the first administrator 'admin' if there is none; print its password once."""
    if db.session.scalar(select(func.count(User.id)).where(User.role == "admin")):
        click.echo("An administrator account exists already; sign in with it "
                   "(`flask users reset-password admin` sets a new password).")
        return
    user, password = create_user("admin", "admin", "Administrator")
    click.echo("=" * 64)
    click.echo(" First sign-in / 首次登录")
    click.echo(f"   username / 用户名: {user.username}")
    click.echo(f"   password / 密码:   {password}")
    click.echo(" Shown only now: write it down. 仅显示一次，请记下。")
    click.echo("=" * 64)


@users_cli.command("reset-password")
@click.argument("username")
def reset_password_command(username: str) -> None:
    """Give an account a new generated password, printed once."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        click.echo(f"Error: no user {username!r}.", err=True)
        sys.exit(1)
    click.echo(f"New password for '{username}' (shown only now): {reset_password(user)}")
    click.echo("Every session of the account has ended.")


@users_cli.command("token")
@click.argument("username")
@click.option("--label", default="", help="What the token is for, shown on the administrators' list.")
def token_command(username: str, label: str) -> None:
    """Make a new API token for an account and print it (only now; only its hash is kept)."""
    from quarantine.api.tokens import make_token
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        click.echo(f"Error: no user {username!r}.", err=True)
        sys.exit(1)
    token, _row = make_token(user, label)
    db.session.commit()
    click.echo(token)


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when sites exist already.")
def load_demo_command(if_empty: bool) -> None:
    """Load a demo county: 1 fixed and 9 backup sites, rooms, residents and a batch."""
    if db.session.scalar(select(func.count(Site.id))):
        if if_empty:
            click.echo("Sites exist already; demo data not loaded.")
            return
        click.echo("Error: the database already holds sites; load the demo into an empty database.", err=True)
        sys.exit(1)
    summary = load_demo()
    click.echo(summary)


@roster_cli.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def roster_check_command(file: str) -> None:
    """Check a roster file (XLSX, XLS or CSV) as an import would; exit 1 when it has problems."""
    report = check_roster(Path(file).read_bytes(), Path(file).name)
    click.echo(format_report(report))
    if not report.is_clean:
        sys.exit(1)


def _batches_or_exit(codes) -> list[TransferBatch]:
    batches = list(db.session.scalars(select(TransferBatch).where(TransferBatch.code.in_(codes))))
    missing = sorted(set(codes) - {b.code for b in batches})
    if missing:
        click.echo(f"Error: no batch with code {', '.join(missing)}.", err=True)
        sys.exit(1)
    return batches
@roster_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--batch", "code", required=True, help="Code of the batch the people belong to.")
@click.option("--skip-bad-rows", is_flag=True, help="Leave out the rows with problems and import the others.")
@click.option("--confirm-households", is_flag=True,
              help="Accept the suggested households (relationship column, shared phones); without it each of "
                   "those people is imported as a household of one.")
@click.option("--category", "default_category", help="Category code for rows without one (e.g. close_contact).")
def roster_import_command(file: str, code: str, skip_bad_rows: bool, confirm_households: bool,
                          default_category: str | None) -> None:
    """Import a roster file into a batch with the checks of the web import; exit 1 when nothing was imported."""
    batch = db.session.scalar(select(TransferBatch).where(TransferBatch.code == code))
    if batch is None:
        click.echo(_("Error: no batch with code %(code)s.", code=code), err=True)
        sys.exit(1)
    report = check_roster(Path(file).read_bytes(), Path(file).name)
    click.echo(format_report(report))
    click.echo("")
    if report.file_errors:
        sys.exit(1)
    if not report.is_clean and not skip_bad_rows:
        click.echo(_("Nothing was imported: the file has problems. Fix them, or run again with --skip-bad-rows "
                     "to import the rows without problems."))
        sys.exit(1)
    suggested = {s.key for s in report.suggested_households}
    try:
        count = import_roster(batch, report, drop_bad_rows=skip_bad_rows,
                              confirmed_households=suggested if confirm_households else set(),
                              default_category=default_category)
    except DomainError as exc:
        click.echo(_("Nothing was imported: %(reason)s", reason=str(exc)))
        sys.exit(1)
    click.echo(_("Imported %(n)d people into batch %(code)s.", n=count, code=code))
    if suggested and confirm_households:
        click.echo(_("Suggested households applied: %(n)d.", n=len(suggested)))
    elif suggested:
        click.echo(_("Suggested households were not applied: each of those people was imported as a household "
                     "of one (run with --confirm-households to accept them)."))


@plan_cli.command("export-scenario")
@click.option("--batch", "codes", multiple=True, help="Batch code to include (repeatable); default: every batch with people waiting.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File to write; default: standard output.")
def export_scenario_command(codes: tuple[str, ...], output: str | None) -> None:
    """Write the live state and pending batches in the planner's exchange format (quarantine-scenario/1)."""
    batches = _batches_or_exit(codes) if codes else pending_batches()
    scenario = build_scenario(batches, name="export")
    body = json.dumps(planner.scenario_to_dict(scenario), ensure_ascii=False, indent=1)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(body)
        people = sum(len(b.people) for b in scenario.batches)
        click.echo(f"Wrote {output}: {len(scenario.sites)} sites, {len(scenario.batches)} batches, {people} people waiting.")
    else:
        click.echo(body)


@plan_cli.command("start")
@click.option("--batch", "codes", multiple=True, required=True, help="Batch code (repeatable).")
@click.option("--time-limit", type=click.FloatRange(0.5, 600), default=10.0, show_default=True,
              help="Seconds the planner may take.")
def plan_start_command(codes: tuple[str, ...], time_limit: float) -> None:
    """Queue a planning run for the people of the batches still without a bed; prints its number last."""
    try:
        run = planning.queue_plan(_batches_or_exit(codes), None, time_limit)
    except DomainError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Planning run queued for {run.people_total} people of {', '.join(codes)}.")
    click.echo(str(run.id))


@plan_cli.command("status")
@click.argument("run_id", type=int)
def plan_status_command(run_id: int) -> None:
    """Print the run's status word (queued, running, done, failed, cancelled), then placed / total."""
    run = db.session.get(PlanRun, run_id)
    if run is None:
        click.echo(f"Error: no planning run {run_id}.", err=True)
        sys.exit(1)
    run = planning.refresh_status(run)
    status = "done" if run.status == "committed" else run.status
    line = f"{status} {run.placed}/{run.people_total}"
    if run.placed_bound is not None and run.finished:
        line += f" (at most {run.placed_bound} can be placed)"
    if run.status == "committed":
        line += " committed"
    if run.status == "queued":
        line += f" (position {planning.queue_position(run)} in the queue)"
    if run.status == "failed":
        line += f" ({run.error})"
    click.echo(line)


@jobs_cli.command("worker")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes; each takes one plan at a time.")
def jobs_worker_command(workers: int) -> None:
    """Serve the job queue (SQLite file by default, Redis when REDIS_URL is set)."""
    click.echo(f"Job worker on the {backend_name()} queue with {workers} process(es).")
    run_worker(current_app._get_current_object(), workers)


@data_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="List what would be anonymised; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Anonymise people who left more than the policy's retention days ago (the daily job does the same)."""
    from quarantine.people import retention
    days, people = retention.purge(dry_run=dry_run)
    if days is None:
        click.echo("No policy in force: nothing is purged.")
        return
    for p in people:
        click.echo(f"person #{p.person_id}\tsite {p.site_id or '-'}\t{p.status}\tleft {p.left_on.isoformat()}")
    verb = "would be anonymised" if dry_run else "anonymised"
    click.echo(f"{len(people)} people {verb} (left more than {days} days ago).")


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(roster_cli)
    app.cli.add_command(plan_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(data_cli)
