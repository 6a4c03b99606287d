"""Screenshots of the staff console for docs/console.md, against a demo-seeded database.

    .venv/bin/python benchmarks/screenshots.py                  # new demo database, 10 days
    .venv/bin/python benchmarks/screenshots.py --data-dir DIR   # reuse (or create) DIR

Seeds a demo history (`hotline seed --demo`) unless the data directory already holds one,
serves it with `hotline serve`, signs in as each demo user in Debian's Chromium (Playwright,
headless) and saves the home page of every role, a ticket page, the list, the intake form with
validation messages, an English page, the print view and the knowledge base pages under
docs/screenshots/. Exits non-zero if any page logs a JavaScript error. Chinese text needs a CJK
font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import sys

# benchmarks/calendar.py would shadow the standard library's calendar module (used by
# urllib and email) when this file is run as a script: drop the script's own directory.
if sys.path and sys.path[0].rstrip("/").endswith("benchmarks"):
    sys.path.pop(0)

import argparse
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOTLINE = ROOT / ".venv" / "bin" / "hotline"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Demo#12345"
HOMES = [
    ("agent", "home-agent"),
    ("dispatcher", "home-dispatcher"),
    ("org.411702", "home-county"),
    ("callback", "home-callback"),
    ("supervisor", "home-supervisor"),
    ("analyst", "home-analyst"),
    ("inspector", "home-inspector"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(env: dict, *args: str) -> None:
    subprocess.run([str(HOTLINE), *args], env=env, check=True)


def busiest(env: dict) -> dict:
    """Pick a township unit with open work, and example tickets, from the database."""
    code = (
        "import django, json; django.setup()\n"
        "from django.db.models import Count, Q\n"
        "from hotline.tickets.models import Assignment, Ticket\n"
        "from hotline.orgs.models import Organisation\n"
        "open_=['awaiting_sign','in_progress','return_requested']\n"
        "u=(Organisation.objects.filter(kind='unit', parent__kind='county')"
        ".annotate(n=Count('assignments',filter=Q(assignments__status__in=open_)))"
        ".order_by('-n').first())\n"
        "a=(Assignment.objects.filter(org=u,status__in=open_)"
        ".order_by('-overdue','due_at').first())\n"
        "from hotline.tickets.models import Review\n"
        "r=Review.objects.filter(state='pending',kind='return').order_by('-created_at').first()\n"
        "t=r.ticket if r else (Ticket.objects.filter(status='in_handling',"
        "assignments__parent__isnull=False).order_by('-received_at').first())\n"
        "print(json.dumps({'unit':u.code,'unit_ticket':a.ticket.number if a else None,"
        "'ticket':t.number if t else None}))\n"
    )
    env = {**env, "DJANGO_SETTINGS_MODULE": "hotline.config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--per-day", type=int, default=80)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--width", type=int, default=1440)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print("Chromium is not installed (apt-get install -y chromium)", file=sys.stderr)
        return 2
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="hotline-shots-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "HOTLINE_DATA_DIR": str(data_dir),
        "HOTLINE_DEMO": "1",
        "HOTLINE_ENV": "development",
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    }
    fresh = not (data_dir / "hotline.sqlite3").exists() or bool(os.environ.get("DATABASE_URL"))
    run(env, "migrate", "-v0")
    if fresh:
        run(env, "seed", "--demo", "--days", str(args.days), "--per-day", str(args.per_day))
    picks = busiest(env)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = subprocess.Popen(
        [str(HOTLINE), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    errors: list[str] = []
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        shoot(base, out, picks, args.width, errors)
    finally:
        server.terminate()
        server.wait(timeout=20)
    for line in errors:
        print("JS error:", line, file=sys.stderr)
    print(f"screenshots in {out}; data in {data_dir}")
    return 1 if errors else 0


def shoot(base: str, out: Path, picks: dict, width: int, errors: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def console(msg, username: str) -> None:
            # the intake form is submitted with mistakes on purpose: its 422 is expected
            if msg.type == "error" and "status of 422" not in msg.text:
                errors.append(f"{username}: {msg.text}")

        def page_for(username: str, lang: str = "zh-hans"):
            context = browser.new_context(
                viewport={"width": width, "height": 900}, locale="zh-CN", device_scale_factor=1
            )
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(f"{username}: {exc}"))
            page.on("console", lambda msg: console(msg, username))
            page.goto(f"{base}/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            if lang != "zh-hans":
                page.select_option("select[name=language]", lang)
                page.wait_for_load_state("networkidle")
            return page

        def snap(page, name: str, full: bool = True) -> None:
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"{name}.png"), full_page=full)
            print("saved", name)

        homes = [*HOMES, (f"org.{picks['unit']}", "home-unit")]
        for username, name in homes:
            page = page_for(username)
            snap(page, name)
            page.context.close()

        page = page_for("agent")
        page.fill("input[name=citizen_phone]", "1380")
        page.fill("textarea[name=content]", "医保报销需要哪些材料")
        page.click("#intake-form button[type=submit]")
        snap(page, "intake-errors", full=False)
        page.fill("input[name=citizen_phone]", "13800138000")
        page.fill("textarea[name=content]", "医保住院报销需要哪些材料？")
        page.check("#action-reject")
        page.select_option("select[name=reason]", "emergency")
        # the knowledge suggestions arrive (htmx) while the content is typed
        page.wait_for_selector(
            "#kb-suggestions .kb-suggestions, #kb-suggestions .kb-empty", timeout=30000
        )
        snap(page, "intake-reject-guidance", full=False)
        page.context.close()

        # routing: categories, place, units and similar open tickets while the agent types
        page = page_for("agent")
        page.fill("input[name=citizen_phone]", "13800138001")
        page.fill("input[name=address]", "驿城区雪松路与开源大道交叉口")
        page.fill(
            "textarea[name=content]",
            "来电人反映驿城区雪松路一带突然停电，已经一个多小时了，家里有老人，请尽快处理。",
        )
        page.wait_for_selector("#routing-suggestions [data-routing-suggestions]", timeout=30000)
        snap(page, "intake-suggestions", full=False)
        page.context.close()

        if picks.get("unit_ticket"):
            page = page_for(f"org.{picks['unit']}")
            page.goto(f"{base}/tickets/{picks['unit_ticket']}/")
            snap(page, "ticket-unit")
            page.context.close()
        if picks.get("ticket"):
            page = page_for("supervisor")
            page.goto(f"{base}/tickets/{picks['ticket']}/")
            page.evaluate("document.querySelectorAll('details.action').forEach(d => d.open = true)")
            snap(page, "ticket-supervisor")
            page.emulate_media(media="print")
            snap(page, "ticket-print")
            page.context.close()

        page = page_for("dispatcher")
        page.goto(f"{base}/tickets/?status=in_handling&overdue=1")
        snap(page, "ticket-list", full=False)
        # printed: the whole table on landscape A4 (297 mm ≈ 1123 px), deadlines written out,
        # the filters and the page number above it
        page.set_viewport_size({"width": 1123, "height": 794})
        page.emulate_media(media="print")
        snap(page, "ticket-list-print", full=False)
        page.context.close()

        # a home page printed on portrait A4 (210 mm ≈ 794 px): queues keep their text column
        page = page_for("supervisor")
        page.set_viewport_size({"width": 794, "height": 1123})
        page.emulate_media(media="print")
        snap(page, "home-supervisor-print", full=False)
        page.context.close()

        # the knowledge base (知识库): search, a unit's corrections and questions, the entry form
        # with its live preview, the center's review queue
        page = page_for("agent")
        page.goto(f"{base}/knowledge/?q=医保报销")
        snap(page, "knowledge-search", full=False)
        page.context.close()
        page = page_for("org.housing")  # the demo leaves it an open correction
        page.goto(f"{base}/knowledge/feedback/")
        snap(page, "knowledge-feedback", full=False)
        page.context.close()
        page = page_for("org.medins")
        page.goto(f"{base}/knowledge/new/")
        page.fill("input[name=title]", "门诊慢特病待遇怎么申请")
        page.select_option(
            "select[name=category_code]", "public-services.medical-insurance.reimbursement"
        )
        page.fill(
            "textarea[name=body]",
            "## 申请条件\n\n- 参加本市职工或城乡居民医保\n- 经定点医院确诊\n\n"
            "## 办理渠道\n\n1. 定点医院医保窗口\n2. **豫事办**APP 线上申请",
        )
        page.wait_for_timeout(1500)  # the preview (htmx) follows the typing
        snap(page, "knowledge-edit", full=False)
        page.context.close()
        page = page_for("supervisor")
        page.goto(f"{base}/knowledge/review/")
        snap(page, "knowledge-review", full=False)
        page.context.close()

        # how often the routing suggestions were taken (智能推荐采纳情况)
        page = page_for("supervisor")
        page.goto(f"{base}/console/routing/report/")
        snap(page, "routing-report")
        page.context.close()

        page = page_for("org.411702", lang="en")
        snap(page, "home-county-en")
        page.context.close()
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
