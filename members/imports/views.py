"""The staff page for importing a network: upload, preview what would change, confirm.

The preview is a dry run of the real import. The uploaded files wait for the confirmation
in a folder of their own under MEDIA_ROOT/imports, named by a random token that travels
signed (with the program, the user and what the preview showed), and are deleted when the
import is confirmed or cancelled, or after STAGING_MAX_AGE.
"""

from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.text import get_valid_filename
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from members.access import program_for_user
from members.imports.plan import network_import as import_files
from members.imports.read import MB, Limits

STAGING_MAX_AGE = 2 * 60 * 60  # seconds a preview waits for its confirmation
SIGNING_SALT = "members.network-import"
SHOWN_PROBLEMS = 500


def _max_file_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_FILE_MB", 20) * MB


def _staging_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


class ImportForm(forms.Form):
    members_file = forms.FileField(
        label="Members file",
        help_text="CSV, Excel (.xlsx), GEXF or GraphML. A workbook with both sheets (Kumu "
        "Elements and Connections), a GEXF or a GraphML file is enough on its own.",
    )
    ties_file = forms.FileField(
        label="Ties file",
        required=False,
        help_text="Optional, if the ties are in a file of their own.",
    )
    round_name = forms.CharField(
        label="Round",
        required=False,
        max_length=100,
        help_text="For ties that do not name their round. Blank means the current round.",
    )

    def clean(self):
        limit = _max_file_bytes()
        for name in ("members_file", "ties_file"):
            upload = self.cleaned_data.get(name)
            if upload and upload.size > limit:
                self.add_error(
                    name, f"This file is larger than {limit // MB} MB, the upload limit."
                )
        return self.cleaned_data


# The size check has to run before the CSRF middleware reads (and stores) the request body;
# the view below checks CSRF itself once the size is known to be sensible.
@csrf_exempt
@login_required
def network_import(request, slug):
    program = program_for_user(request, slug, roles={"staff"})
    too_large = 2 * _max_file_bytes() + MB
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > too_large:
        messages.error(request, f"The upload is too large: each file may be at most "
                       f"{_max_file_bytes() // MB} MB.")  # fmt: skip
        return render(
            request, "members/import.html", {"program": program, "form": ImportForm()}, status=413
        )
    return _network_import(request, program)


@csrf_protect
def _network_import(request, program):
    if request.method != "POST":
        return _page(request, program, ImportForm())
    if "token" in request.POST:
        return _confirm(request, program)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, program, form, status=400)
    staged = _stage(form.cleaned_data)
    return _preview(request, program, staged, round_name=form.cleaned_data["round_name"])


def _preview(request, program, staged: Path, *, round_name: str):
    report = import_files(
        program=program,
        round_name=round_name,
        dry_run=True,
        user=request.user,
        limits=Limits(file_bytes=_max_file_bytes()),
        **_staged_files(staged),
    )
    token = None
    if report.ok:
        token = signing.dumps(
            {
                "folder": staged.name,
                "program": program.pk,
                "user": request.user.pk,
                "round": round_name,
                "fingerprint": report.fingerprint(),
            },
            salt=SIGNING_SALT,
        )
    else:
        shutil.rmtree(staged, ignore_errors=True)
    return _page(request, program, ImportForm(), report=report, token=token)


def _confirm(request, program):
    staged, payload = _staged_folder(request, program)
    if staged is None:
        messages.error(request, "This preview has expired or is not yours; upload the files again.")
        return redirect("members:import", slug=program.slug)
    if request.POST.get("action") == "cancel":
        shutil.rmtree(staged, ignore_errors=True)
        messages.info(request, "Import cancelled; nothing was changed.")
        return redirect("members:import", slug=program.slug)
    report = import_files(
        program=program,
        round_name=payload["round"],
        user=request.user,
        expected_fingerprint=payload["fingerprint"],
        limits=Limits(file_bytes=_max_file_bytes()),
        **_staged_files(staged),
    )
    if report.changed_since_preview:
        messages.warning(
            request, "The program changed since your preview. Here is what the import would do now."
        )
        return _preview(request, program, staged, round_name=payload["round"])
    shutil.rmtree(staged, ignore_errors=True)
    if not report.written:
        return _page(request, program, ImportForm(), report=report, status=400)
    messages.success(request, f"Imported: {report.headline()}.")
    return redirect("members:program-detail", slug=program.slug)


def _page(request, program, form, *, report=None, token=None, status=200):
    context = {
        "program": program,
        "form": form,
        "report": report,
        "token": token,
        "rounds": program.rounds.order_by("-observed_on"),
        "shown_problems": report.problems[:SHOWN_PROBLEMS] if report else [],
        "hidden_problems": max(0, len(report.problems) - SHOWN_PROBLEMS) if report else 0,
    }
    return render(request, "members/import.html", context, status=status)


# --- uploaded files waiting for their confirmation ---------------------------------------


def _stage(cleaned: dict) -> Path:
    root = _staging_root()
    _sweep(root)
    folder = root / secrets.token_urlsafe(24)
    folder.mkdir(parents=True, mode=0o700)
    for role in ("members", "ties"):
        upload = cleaned.get(f"{role}_file")
        if not upload:
            continue
        (folder / role).mkdir(mode=0o700)
        # Keep the person's file name: problems are reported as "ties.csv row 12".
        name = get_valid_filename(Path(upload.name).name)[-100:] or f"{role}.csv"
        with (folder / role / name).open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    return folder


def _staged_files(folder: Path) -> dict[str, Path]:
    files = {}
    for role in ("members", "ties"):
        found = sorted((folder / role).glob("*")) if (folder / role).is_dir() else []
        if found:
            files[f"{role}_file"] = found[0]
    return files


def _staged_folder(request, program) -> tuple[Path | None, dict]:
    try:
        payload = signing.loads(
            request.POST.get("token", ""), salt=SIGNING_SALT, max_age=STAGING_MAX_AGE
        )
    except signing.BadSignature:
        return None, {}
    folder = str(payload.get("folder", ""))
    if (
        payload.get("program") != program.pk
        or payload.get("user") != request.user.pk
        or not re.fullmatch(r"[A-Za-z0-9_-]+", folder)
    ):
        return None, {}
    staged = _staging_root() / folder
    if not (staged / "members").is_dir():
        return None, {}
    return staged, payload


def _sweep(root: Path) -> None:
    """Delete previews nobody confirmed."""
    if not root.is_dir():
        return
    cutoff = time.time() - STAGING_MAX_AGE
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            pass  # another request swept it first
