"""Benchmark the map and posters end to end: seed → metrics → poster / map data / browser.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/netlead_mapbench \\
        .venv/bin/python bench/map_bench.py [--poster-size 5000] [--map-size 10000]
        [--keep] [--skip-browser] [--json out.json]

1. Creates the programs ``bench-map-<n>`` with ``members.demo.seed.demo_program_seed``
   (the demo generator: two rounds, ~4.7 ties per member per round) and computes both
   rounds with ``networkmaps.runs.services`` (request + execute, in-process). ``--keep`` reuses
   programs that already have current runs.
2. Poster: times ``posters.poster_request`` for an A0 portrait PDF + SVG of the
   ``--poster-size`` program, drawn in this process (the worker task calls the same
   ``poster_files.poster_render``): read the run, build the spec, draw PDF and SVG, save both.
   Then checks that pdftoppm renders page 1 and that the member index lists every member
   exactly once. Target: ≤ 30 s.
3. Map data: times ``maps.map_data`` (median of 3) and the JSON view through Django's
   test Client with gzip (median of 3) at ``--map-size``; reports raw and gzipped bytes.
4. Browser: serves the app with ``manage.py runserver`` on a free port, signs in with
   headless Chromium (Playwright, /usr/bin/chromium, software WebGL: no GPU here) and
   reports time to interactive (navigation start → first frame with the graph drawn),
   frame times while the camera zooms and pans for 120 frames, and how long a
   colour switch, a filter and focusing on a member take.

Runs on SQLite too (slower seeding); numbers depend on how busy the machine is, so the
load average is printed with them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netlead.settings")
os.environ.setdefault("DEBUG", "true")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("NETLEAD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
POSTER_TARGET_S = 30.0


def setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def program_ready(n: int, *, keep: bool) -> tuple[object, dict]:
    """The program ``bench-map-<n>`` with both rounds computed, and how long that took."""
    from members.demo import seed as member_services
    from members.models import Program
    from networkmaps.models import MetricRun
    from networkmaps.runs import compute, services

    slug = f"bench-map-{n}"
    program = Program.objects.filter(slug=slug).first()
    if keep and program and MetricRun.objects.current().filter(program=program).count() == 2:
        return program, {"reused": True}
    started = time.perf_counter()
    program = member_services.demo_program_seed(
        members=n, slug=slug, name=f"Bench Fellows {n:,}", replace=True
    )
    seeded = time.perf_counter() - started
    timings = {"seed_s": seeded}
    for round_ in program.rounds.order_by("observed_on"):
        mark = time.perf_counter()
        run = services.metric_run_request(program=program, round_=round_)
        compute.metric_run_execute(run_id=run.pk)
        timings[f"metrics_{round_.name}_s"] = time.perf_counter() - mark
    return program, timings


def bench_poster(program, *, paper: str = "A0") -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from members.models import ProgramRole
    from networkmaps.graph.poster import member_index
    from networkmaps.maps import poster_files, posters

    # Drawn here, as the worker would: poster_render is what the Celery task calls.
    posters.POSTER_INLINE_MAX_MEMBERS = 10**9
    options = poster_files.PosterOptions(paper=paper, landscape=False, colour_by="community")
    round_ = program.current_round()
    # Staff's poster names everyone: the index check below compares it with every name.
    staff, _ = get_user_model().objects.get_or_create(username="poster-bench")
    ProgramRole.objects.update_or_create(user=staff, program=program, defaults={"role": "staff"})
    started = time.perf_counter()
    poster = posters.poster_request(
        program=program, round_=round_, options=options, requested_by=staff
    )
    elapsed = time.perf_counter() - started
    if poster.status != "ready":
        raise SystemExit(f"poster failed: {poster.error}")
    pdf = Path(settings.MEDIA_ROOT) / poster.pdf.name
    svg = Path(settings.MEDIA_ROOT) / poster.svg.name
    out = {
        "members": poster.members,
        "paper": paper,
        "end_to_end_s": elapsed,
        **{f"{k}_s": v for k, v in poster.timings.items()},
        "pdf_bytes": pdf.stat().st_size,
        "svg_bytes": svg.stat().st_size,
    }
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        out["pdf_pages"] = int(
            next(row for row in info.splitlines() if row.startswith("Pages:")).split()[1]
        )
    if shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory() as tmp:
            mark = time.perf_counter()
            subprocess.run(
                ["pdftoppm", "-png", "-r", "15", "-f", "1", "-l", "1", str(pdf), f"{tmp}/p"],
                check=True,
            )
            out["pdftoppm_s"] = time.perf_counter() - mark
            shutil.copy(f"{tmp}/p-1.png", f"/tmp/netlead-bench-poster-{paper}.png")
    spec = poster_files.poster_spec_build(
        program=program, round_=round_, options=options, viewer_role="staff"
    )
    labels = sorted(label for label, _ in member_index(spec))
    names = sorted(program.members.values_list("name", flat=True))
    out["index_every_member_once"] = labels == names
    return out


def bench_map_data(program) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from members.models import ProgramRole
    from networkmaps.maps import data as maps

    times = []
    for _ in range(3):
        started = time.perf_counter()
        data = maps.map_data(program=program, viewer_role="staff")
        times.append(time.perf_counter() - started)
    body = json.dumps(data, separators=(",", ":")).encode()

    user, _ = get_user_model().objects.get_or_create(username="map-bench")
    ProgramRole.objects.update_or_create(user=user, program=program, defaults={"role": "staff"})
    client = Client(HTTP_ACCEPT_ENCODING="gzip", SERVER_NAME="localhost")
    client.force_login(user)
    url = reverse("networkmaps:map-data", args=[program.slug])
    view_times = []
    for _ in range(3):
        started = time.perf_counter()
        response = client.get(url)
        view_times.append(time.perf_counter() - started)
    assert response.status_code == 200
    # issue 18: the view serves the run's stored payload (maps/payload.py) when it has one;
    # a facilitator gets other names from the same stored bytes.
    stored = response.has_header("ETag")
    ProgramRole.objects.filter(user=user, program=program).update(role="facilitator")
    facilitator_times = []
    for _ in range(3):
        started = time.perf_counter()
        client.get(url)
        facilitator_times.append(time.perf_counter() - started)
    ProgramRole.objects.filter(user=user, program=program).update(role="staff")
    started = time.perf_counter()
    not_modified = client.get(url, headers={"if-none-match": response.get("ETag", "")})
    revalidate_s = time.perf_counter() - started
    return {
        "members": data["counts"]["members"],
        "ties": data["counts"]["ties"],
        "edge_rows": len(data["edges"]["source"]),
        "service_s": statistics.median(times),
        "view_s": statistics.median(view_times),
        "view_from_stored_payload": stored,
        "view_facilitator_s": statistics.median(facilitator_times),
        "view_304_s": revalidate_s if not_modified.status_code == 304 else None,
        "json_bytes": len(body),
        "gzip_bytes": len(gzip.compress(body, 6)),
        "view_bytes_sent": len(response.content),
        "view_encoding": response.get("Content-Encoding", "identity"),
    }


# Frame times while the camera sweeps in and out for 120 frames: every layer (ties, nodes,
# labels) is drawn each frame, as when someone zooms with buttons or the keyboard.
SWEEP_JS = """async () => {
  const camera = netleadMap.renderer.getCamera();
  const deltas = [];
  let last = performance.now();
  for (let i = 0; i < 120; i++) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const now = performance.now();
    deltas.push(now - last);
    last = now;
    const ratio = 1 - 0.7 * Math.sin((i / 119) * Math.PI);
    camera.setState({ ratio, x: 0.5 + 0.15 * Math.sin(i / 15), y: 0.5 });
  }
  camera.setState({ ratio: 1, x: 0.5, y: 0.5 });
  return deltas;
}"""

# Records every animation frame and the main-thread time of every sigma render until
# STOP_JS, while Playwright drives the mouse (wheel zooms and drags, as people do).
RECORD_JS = """() => {
  const renderer = netleadMap.renderer;
  const rec = { deltas: [], renders: [], on: true };
  const render = renderer.render.bind(renderer);
  renderer.render = () => {
    const t = performance.now();
    const out = render();
    rec.renders.push(performance.now() - t);
    return out;
  };
  let last = performance.now();
  const tick = () => {
    const now = performance.now();
    rec.deltas.push(now - last);
    last = now;
    if (rec.on) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.__frames = rec;
}"""
STOP_JS = "() => { window.__frames.on = false; return window.__frames; }"

ACTIONS_JS = """() => {
  const renderer = netleadMap.renderer;
  const change = (id, value) => {
    const el = document.getElementById(id);
    el.value = value;
    const t0 = performance.now();
    el.dispatchEvent(new Event("change", { bubbles: true }));
    return performance.now() - t0;
  };
  let t = performance.now();
  renderer.refresh();
  const refreshMs = performance.now() - t;
  const colourMs = change("map-colour", "sector");
  const filterMs = change("map-strength", "3");
  change("map-strength", "1");
  t = performance.now();
  netleadMap.focusMember(netleadMap.data.nodes.id[0]);
  const focusMs = performance.now() - t;
  return { refreshMs, colourMs, filterMs, focusMs };
}"""


def _spread(values: list[float]) -> dict:
    values = sorted(values)
    if not values:
        return {"median": None, "p95": None, "max": None}
    return {
        "median": statistics.median(values),
        "p95": values[min(len(values) - 1, int(len(values) * 0.95))],
        "max": values[-1],
    }


def bench_browser(program) -> dict:
    from django.contrib.auth import get_user_model

    from members.models import ProgramRole

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed"}
    if not Path(CHROMIUM).exists():
        return {"skipped": f"no Chromium at {CHROMIUM}"}

    password = secrets.token_urlsafe(12)
    user, _ = get_user_model().objects.get_or_create(username="map-bench")
    user.set_password(password)
    user.save()
    ProgramRole.objects.update_or_create(user=user, program=program, defaults={"role": "staff"})

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=os.environ | {"DEBUG": "true"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_port(port)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors = []
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=login]", user.username)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            page.goto(f"{base}/programs/{program.slug}/map/")
            page.wait_for_function(
                "() => window.netleadMap && window.netleadMap.ready", timeout=180_000
            )
            timings = page.evaluate("() => netleadMap.timings")
            nodes = page.evaluate("() => netleadMap.renderer.getGraph().order")
            edges = page.evaluate("() => netleadMap.renderer.getGraph().size")
            page.screenshot(path=f"/tmp/netlead-bench-map-{nodes}.png")
            sweep = page.evaluate(SWEEP_JS)[1:]  # the first waits for the loop to start
            box = page.locator("#map-canvas").bounding_box()
            cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(cx, cy)
            page.wait_for_timeout(1000)
            page.evaluate(RECORD_JS)
            for _ in range(4):
                page.mouse.wheel(0, -240)
                page.wait_for_timeout(400)
            page.mouse.down()
            for step in range(20):
                page.mouse.move(cx + 10 * step, cy + 4 * step)
            page.mouse.up()
            for _ in range(4):
                page.mouse.wheel(0, 240)
                page.wait_for_timeout(400)
            page.wait_for_timeout(600)
            moving = page.evaluate(STOP_JS)
            actions = page.evaluate(ACTIONS_JS)
            page.wait_for_timeout(500)
            page.screenshot(path=f"/tmp/netlead-bench-map-{nodes}-focused.png")
            heap = page.evaluate(
                "() => performance.memory ? performance.memory.usedJSHeapSize : null"
            )
            renderer_name = page.evaluate(
                """() => { const gl = document.createElement('canvas').getContext('webgl2');
                const d = gl && gl.getExtension('WEBGL_debug_renderer_info');
                return d ? gl.getParameter(d.UNMASKED_RENDERER_WEBGL) : 'unknown'; }"""
            )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "nodes": nodes,
        "edges": edges,
        "time_to_interactive_ms": timings["sinceNavigationMs"],
        "fetch_ms": timings["fetchMs"],
        "build_ms": timings["buildMs"],
        **{f"sweep_frame_{k}_ms": v for k, v in _spread(sweep).items()},
        **{f"interaction_frame_{k}_ms": v for k, v in _spread(moving["deltas"][1:]).items()},
        **{f"render_js_{k}_ms": v for k, v in _spread(moving["renders"]).items()},
        "renders_during_interaction": len(moving["renders"]),
        "full_refresh_ms": actions["refreshMs"],
        "colour_switch_ms": actions["colourMs"],
        "filter_ms": actions["filterMs"],
        "focus_ms": actions["focusMs"],
        "js_heap_mib": heap / 2**20 if heap else None,
        "webgl": renderer_name,
        "console_errors": errors,
    }


def _wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"runserver did not listen on port {port}")


def _print(title: str, values: dict) -> None:
    print(f"\n{title}")
    for key, value in values.items():
        shown = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}" if isinstance(
            value, int) and not isinstance(value, bool) else value  # fmt: skip
        print(f"  {key:<28} {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--poster-size", type=int, default=5000)
    parser.add_argument("--map-size", type=int, default=10000)
    parser.add_argument("--keep", action="store_true", help="reuse computed bench programs")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--map-only", action="store_true", help="skip the poster (and browser)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    setup()
    from django.db import connection

    print(
        f"netlead map bench · {connection.vendor} · {platform.processor() or platform.machine()}"
        f" · {os.cpu_count()} CPUs · load average {os.getloadavg()[0]:.2f}"
    )
    results: dict[str, dict] = {}

    if not args.map_only:
        poster_program, prep = program_ready(args.poster_size, keep=args.keep)
        _print(f"prepare {args.poster_size:,} members", prep)
        results["poster"] = bench_poster(poster_program)
        verdict = "OK" if results["poster"]["end_to_end_s"] <= POSTER_TARGET_S else "OVER TARGET"
        title = f"A0 poster, {args.poster_size:,} members (target ≤ 30 s: {verdict})"
        _print(title, results["poster"])

    map_program, prep = program_ready(args.map_size, keep=args.keep)
    _print(f"prepare {args.map_size:,} members", prep)
    results["map_data"] = bench_map_data(map_program)
    _print(f"map data JSON, {args.map_size:,} members", results["map_data"])
    if not args.skip_browser and not args.map_only:
        results["browser"] = bench_browser(map_program)
        _print(f"browser, {args.map_size:,} members", results["browser"])
    print(f"\nload average now {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
