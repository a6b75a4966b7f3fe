"""Command-line tasks: accounts, the demo county, roster checks."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from quarantine.extensions import db
from quarantine.models import ROLES, Site, User

users_cli = AppGroup("users", help="Manage accounts.")
demo_cli = AppGroup("demo", help="Demonstration data.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="admin", show_default=True)
@click.option("--name", "display_name", default="")
def create_user_command(username: str, role: str, display_name: str) -> None:
    """Create an account with a generated password, printed once."""
    from quarantine.users.services import create_user
    if db.session.scalar(select(func.count(User.id)).where(User.username == username)):
        click.echo(f"Error: user {username!r} already exists; choose another name.", err=True)
        sys.exit(1)
    user, password = create_user(username, role, display_name)
    click.echo(f"Created {role} account '{user.username}'. Password (shown only now): {password}")


@users_cli.command("ensure-admin")
def ensure_admin_command() -> None:
    """Create the first administrator 'admin' if there is none; print its password once."""
    from quarantine.users.services import create_user
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
    from quarantine.users.services import reset_password
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        click.echo(f"Error: no user {username!r}.", err=True)
        sys.exit(1)
    click.echo(f"New password for '{username}' (shown only now): {reset_password(user)}")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when sites exist already.")
def load_demo_command(if_empty: bool) -> None:
    """Load a demo county: 1 fixed and 9 backup sites, rooms, residents and a batch."""
    from quarantine.demo import load_demo
    if db.session.scalar(select(func.count(Site.id))):
        if if_empty:
            click.echo("Sites exist already; demo data not loaded.")
            return
        click.echo("Error: the database already holds sites; load the demo into an empty database.", err=True)
        sys.exit(1)
    summary = load_demo()
    click.echo(summary)


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
