"""Smoke test over real HTTP: every page as each role against a running server; no 5xx.

    python .ci/smoke.py BASE_URL SETUP.json      (SMOKE_VERBOSE=1 lists every request)

SETUP.json comes from .ci/smoke_setup.py (accounts and one URL per route). Each role signs in
through the allauth form (with its CSRF token), requests every route, then follows the links
on the pages it gets, once per kind of URL (digits and query values do not make a new kind).
Every static file a page names must answer 200: that is how a broken manifest shows; and
whitenoise must serve it with far-future caching (hashed names) and compressed. Pages carry
the security headers (CSP, nosniff, Referrer-Policy, frame denial; HSTS when the request came
over https through the proxy).
"""

import json
import os
import re
import sys
import time
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import requests

PAGES_PER_ROLE = 400
TIMEOUT = 120
# Never follow these: signing out would end the role's session half way.
SKIP = re.compile(r"logout|signout")


class Links(HTMLParser):
    """What a page leads to: links, GET forms as submitted with their defaults (once per
    submit button's formaction), and the static files it names (script, link, img)."""

    def __init__(self):
        super().__init__()
        self.pages, self.assets = [], []
        self.form = None  # (actions, fields) of the GET form being read
        self.select = None  # [name, first value, selected value]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.pages.append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src"):
            self.assets.append(attrs["src"])
        elif tag == "link" and attrs.get("href"):
            self.assets.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.form = ([attrs.get("action") or ""], [])
        elif self.form is None:
            return
        elif tag in ("button", "input") and attrs.get("formaction"):
            self.form[0].append(attrs["formaction"])
        elif tag == "input" and attrs.get("name"):
            kind_ = (attrs.get("type") or "text").lower()
            if kind_ in ("submit", "button", "image", "reset", "file"):
                return
            if kind_ in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.form[1].append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select" and attrs.get("name"):
            self.select = [attrs["name"], None, None]
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.select[1] = value if self.select[1] is None else self.select[1]
            if "selected" in attrs:
                self.select[2] = value

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None and self.form is not None:
            name, first, chosen = self.select
            self.form[1].append((name, chosen if chosen is not None else first or ""))
            self.select = None
        elif tag == "form" and self.form is not None:
            actions, fields = self.form
            query = urlencode(fields)
            for action in actions:
                self.pages.append(f"{action}?{query}" if query else action or "?")
            self.form = None


def kind(url: str) -> str:
    """One key per kind of page: /people/12/?round=3 and /people/40/?round=1 are one kind."""
    parts = urlsplit(url)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    if parts.path.startswith("/admin/"):
        # The admin's filter and sort links combine without end; they are Django's own code.
        keys = []
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def sign_in(session: requests.Session, base: str, username: str, password: str) -> None:
    login = f"{base}/accounts/login/"
    page = session.get(login, timeout=TIMEOUT)
    page.raise_for_status()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = session.post(
        login,
        data={"login": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": login},
        timeout=TIMEOUT,
    )
    home = session.get(f"{base}/", timeout=TIMEOUT, allow_redirects=False)
    if done.status_code >= 400 or "/accounts/login/" in home.headers.get("Location", ""):
        raise SystemExit(f"{username} could not sign in (HTTP {done.status_code})")


def crawl(session: requests.Session, base: str, seeds: list[str]) -> tuple[list, set]:
    """Request the seeds and what they link to; returns [(url, status, seconds)] and assets."""
    host = urlsplit(base).netloc
    queue, seen, results, assets = deque(seeds), set(), [], set()
    while queue and len(results) < PAGES_PER_ROLE:
        url = queue.popleft()
        if kind(url) in seen or SKIP.search(url):
            continue
        seen.add(kind(url))
        started = time.monotonic()
        try:
            response = session.get(base + url, timeout=TIMEOUT, allow_redirects=False)
        except requests.RequestException as exc:
            results.append((url, f"error: {exc.__class__.__name__}", time.monotonic() - started))
            continue
        results.append((url, response.status_code, time.monotonic() - started))
        found = []
        if response.is_redirect:
            found.append(response.headers["Location"])
        elif response.ok and response.headers.get("Content-Type", "").startswith("text/html"):
            parser = Links()
            parser.feed(response.text)
            found += parser.pages
            assets |= {
                path
                for a in parser.assets
                if (path := urlsplit(urljoin(base + url, a)).path).startswith("/static/")
            }
        for href in found:
            target = urlsplit(urljoin(base + url, href))
            if target.netloc == host and target.scheme in ("http", "https"):
                if target.path.startswith("/static/"):
                    assets.add(target.path)
                else:
                    queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return results, assets


# Header -> what its value must contain, on every HTML page.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# whitenoise's caching of files with a content hash in their name: ten years, immutable.
FAR_FUTURE = "max-age=315360000"


def check_headers(base: str, pages: list[str]) -> list[tuple]:
    """Security headers on pages (HSTS on the https-through-proxy request)."""
    failures = []
    for path in pages:
        response = requests.get(base + path, timeout=TIMEOUT, allow_redirects=False)
        for header, expected in SECURITY_HEADERS.items():
            if expected not in response.headers.get(header, ""):
                failures.append(("header", f"{path} {header}", response.headers.get(header)))
    secure = requests.get(
        base + "/accounts/login/", timeout=TIMEOUT, allow_redirects=False,
        headers={"X-Forwarded-Proto": "https"},
    )  # fmt: skip
    if "max-age=" not in secure.headers.get("Strict-Transport-Security", ""):
        failures.append(
            ("header", "HSTS over https", secure.headers.get("Strict-Transport-Security"))
        )
    return failures


def check_static_caching(base: str, assets: set[str]) -> list[tuple]:
    """Hashed static files are cached for ten years and compressed where it helps."""
    failures = []
    for path in sorted(assets):
        response = requests.get(
            base + path, timeout=TIMEOUT, headers={"Accept-Encoding": "gzip, br"}
        )
        if FAR_FUTURE not in response.headers.get("Cache-Control", ""):
            failures.append(("caching", path, response.headers.get("Cache-Control")))
        if path.endswith((".js", ".css")) and not response.headers.get("Content-Encoding"):
            failures.append(("compression", path, "served uncompressed"))
    return failures


def main(base: str, setup_file: Path) -> int:
    setup = json.loads(setup_file.read_text())
    base = base.rstrip("/")
    failures, all_assets, total = [], set(), 0
    roles = ["staff", "facilitator", "member", "superuser", "anonymous"]
    print(f"{len(setup['urls'])} routes; skipped (parameters unknown): {setup['skipped']}")
    for role in roles:
        session = requests.Session()
        seeds = list(setup["urls"]) + [setup["survey_link"]]
        if role != "anonymous":
            sign_in(session, base, **setup["accounts"][role])
        if role == "superuser":
            # The program's pages are staff's; the superuser adds the admin.
            seeds = [u for u in seeds if u.startswith("/admin/")]
        started = time.monotonic()
        results, assets = crawl(session, base, seeds)
        all_assets |= assets
        total += len(results)
        statuses = Counter(status for _, status, _ in results)
        slowest = max(results, key=lambda r: r[2])
        print(
            f"{role:>11}: {len(results)} pages in {time.monotonic() - started:.0f}s "
            f"{dict(sorted(statuses.items(), key=str))} slowest {slowest[2]:.1f}s {slowest[0]}"
        )
        if os.environ.get("SMOKE_VERBOSE"):
            for url, status, seconds in results:
                print(f"    {status} {seconds:5.2f}s {url}")
        if role in ("staff", "facilitator", "member", "superuser") and statuses[200] < 5:
            failures.append((role, "(signed in, yet almost nothing answered 200)", ""))
        failures += [
            (role, url, status)
            for url, status, _ in results
            if not isinstance(status, int) or status >= 500
        ]
    for path in sorted(all_assets):
        status = requests.get(base + path, timeout=TIMEOUT).status_code
        if status != 200:
            failures.append(("asset", path, status))
    failures += check_headers(base, ["/accounts/login/", setup["survey_link"]])
    failures += check_static_caching(base, all_assets)
    print(f"{total} page requests and {len(all_assets)} static files checked.")
    for role, url, status in failures:
        print(f"FAIL {role}: {status} {url}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
