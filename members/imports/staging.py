"""Uploaded import files waiting on disk for their preview and confirmation, and their sweep.

Each upload gets a folder of its own, MEDIA_ROOT/imports/<random>/members|ties/<file name>,
recorded on its ImportJob. The files name members, so they go as soon as the job is done,
failed or cancelled, when the program's data is erased, and otherwise after STAGING_MAX_AGE.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.text import get_valid_filename

from members.models import ImportJob

STAGING_MAX_AGE = 2 * 60 * 60  # seconds a preview waits for its confirmation
ROLES = ("members", "ties")


def staging_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def files_stage(*, members: UploadedFile, ties: UploadedFile | None) -> tuple[str, dict]:
    """Save the uploads in a new folder: (folder name, {role: file name as saved})."""
    folder_name = secrets.token_urlsafe(24)
    folder = staging_root() / folder_name
    folder.mkdir(parents=True, mode=0o700)
    names = {}
    for role, upload in zip(ROLES, (members, ties), strict=True):
        if upload is None:
            continue
        (folder / role).mkdir(mode=0o700)
        # Keep the person's file name: problems are reported as "ties.csv row 12".
        name = get_valid_filename(Path(upload.name).name)[-100:] or f"{role}.csv"
        with (folder / role / name).open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        names[role] = name
    return folder_name, names


def options_stage(*, folder: str, options: dict) -> None:
    """Keep the import's choices (round date, directions, weight rule) beside its files."""
    base = _folder(folder)
    if base is not None:
        (base / "options.json").write_text(json.dumps(options))


def options_staged(*, folder: str) -> dict:
    base = _folder(folder)
    path = base / "options.json" if base else None
    return json.loads(path.read_text()) if path and path.is_file() else {}


def files_staged(*, folder: str) -> dict[str, Path]:
    """{"members_file": path, "ties_file": path} of a staged folder (what is still there)."""
    base = _folder(folder)
    files = {}
    for role in ROLES:
        found = sorted((base / role).glob("*")) if base and (base / role).is_dir() else []
        if found:
            files[f"{role}_file"] = found[0]
    return files


def files_delete(*, folder: str) -> None:
    base = _folder(folder)
    if base is not None:
        shutil.rmtree(base, ignore_errors=True)


def staged_imports_forget(*, program_id: int) -> int:
    """Delete every staged import of the program: its files and jobs (their reports name
    members). For erasure; returns how many jobs went."""
    return staged_imports_delete(jobs=ImportJob.objects.filter(program_id=program_id))


def imports_sweep(*, max_age: int = STAGING_MAX_AGE) -> int:
    """Delete import jobs and staged folders older than `max_age` seconds (a job still being
    worked on is left to finish); returns how many folders and jobs went."""
    cutoff = timezone.now() - timedelta(seconds=max_age)
    old = ImportJob.objects.filter(updated_at__lt=cutoff).exclude(status__in=ImportJob.ACTIVE)
    swept = staged_imports_delete(jobs=old)
    # Folders no job knows of (a crash between staging and saving the job).
    known = set(ImportJob.objects.values_list("folder", flat=True))
    root = staging_root()
    if root.is_dir():
        for folder in root.iterdir():
            try:
                stale = folder.stat().st_mtime < time.time() - max_age
            except FileNotFoundError:
                continue  # another sweep got there first
            if folder.is_dir() and folder.name not in known and stale:
                shutil.rmtree(folder, ignore_errors=True)
                swept += 1
    return swept


def staged_imports_delete(*, jobs) -> int:
    """Delete these jobs and their staged files; returns how many jobs went."""
    for folder in jobs.values_list("folder", flat=True):
        files_delete(folder=folder)
    deleted, _ = jobs.delete()
    return deleted


def _folder(name: str) -> Path | None:
    # Only names this module made: nothing outside the staging root is ever touched.
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name or ""):
        return None
    return staging_root() / name
