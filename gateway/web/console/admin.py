"""Administration: console users and API keys (administrators only)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from gateway import accounts, apikeys
from gateway.models import ApiKey, Role, User
from gateway.web.console import bp
from gateway.web.console.context import now, roles_required, runtime, t


def _units():
    rt = runtime()
    return sorted(rt.units.units.values(), key=lambda u: (u.jurisdiction != "city", u.jurisdiction, u.department))


@bp.get("/admin")
@roles_required(Role.ADMIN)
def admin():
    return _admin_page()


def _admin_page(new_key: str | None = None):
    with runtime().database.session() as db:
        users = list(db.scalars(select(User).order_by(User.role, User.unit, User.username)))
        keys = list(db.scalars(select(ApiKey).order_by(ApiKey.created_at.desc())))
        db.expunge_all()
    return render_template(
        "console/admin.html", users=users, keys=keys, units=_units(), roles=Role.ALL, new_key=new_key
    )


@bp.post("/admin/users")
@roles_required(Role.ADMIN)
def admin_create_user():
    form = request.form
    role = form.get("role", "")
    try:
        with runtime().database.session() as db:
            accounts.create_user(
                db,
                form.get("username", ""),
                form.get("password", ""),
                role,
                now(),
                unit=form.get("unit") if role == Role.DISPATCHER else None,
                display_name=form.get("display_name"),
                language=form.get("language", "zh"),
                units=runtime().units,
            )
    except accounts.AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(t("user_created"), "ok")
    return redirect(url_for("console.admin"), code=303)


@bp.post("/admin/users/<int:user_id>/toggle")
@roles_required(Role.ADMIN)
def admin_toggle_user(user_id: int):
    with runtime().database.session() as db:
        user = db.get(User, user_id)
        if user is None:
            abort(404)
        if user.disabled_at is None:
            accounts.disable_user(user, now())
        else:
            accounts.enable_user(user)
    return redirect(url_for("console.admin"), code=303)


@bp.post("/admin/keys")
@roles_required(Role.ADMIN)
def admin_create_key():
    name = (request.form.get("name") or "").strip()[:64]
    scope = request.form.get("scope") or apikeys.CITY
    rt = runtime()
    if not name or (scope != apikeys.CITY and rt.units.get(scope) is None):
        flash("name and scope (city or a unit) are required", "error")
        return redirect(url_for("console.admin"), code=303)
    with rt.database.session() as db:
        if db.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
            flash(f"a key named {name!r} exists", "error")
            return redirect(url_for("console.admin"), code=303)
        _row, key = apikeys.create_key(db, name, scope, now())
    # Shown once, in this response only: never stored, never put in the (readable) session cookie.
    return _admin_page(new_key=key)


@bp.post("/admin/keys/<int:key_id>/revoke")
@roles_required(Role.ADMIN)
def admin_revoke_key(key_id: int):
    with runtime().database.session() as db:
        key = db.get(ApiKey, key_id)
        if key is None:
            abort(404)
        key.revoked_at = key.revoked_at or now()
    return redirect(url_for("console.admin"), code=303)
