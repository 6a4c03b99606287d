"""Knowledge-base search benchmark.

(a) Latency: 50,000 generated entries in a throwaway database (a temporary SQLite file, and a
    PostgreSQL database ``hl_know_bench``), loaded with the search backend's bulk helper (the
    same segmentation and index code as the services), then realistic agent queries through
    ``selectors.entry_search`` — segmentation, synonyms, the ranked SQL query, hydration and
    snippets, i.e. everything the API does except HTTP. Target: p95 ≤ 30 ms.
(b) Relevance on real data: the replies of ``messages_with_replies.csv`` (tipdm2020c, read from
    ../shared/datasets, never copied) are indexed as entries — title = the reply's first real
    sentence, body = the reply — and each message's own subject (留言主题) is the query;
    recall@5 is the share of messages whose own reply is in the top five (recall@1: first).
    Target ≥ 0.80. Skipped politely when the file is absent.

Usage (from the repository root):

    .venv/bin/python benchmarks/knowledge.py                 # both databases
    .venv/bin/python benchmarks/knowledge.py --db sqlite --entries 5000 --queries 100
    .venv/bin/python benchmarks/knowledge.py --no-rerank     # without the re-ranking stage

PostgreSQL: ``BENCH_PG_URL`` (default postgres://postgres@127.0.0.1:5432/hl_know_bench); the
database is dropped and created at the start and dropped at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pickle
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASET = (
    Path(os.environ.get("HOTLINE_DATASETS", ROOT.parent / "shared" / "datasets"))
    / "tipdm2020c"
    / "messages_with_replies.csv"
)
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/hl_know_bench")

AGENT_QUERIES = [
    "社保卡丢了怎么补办", "医保报销", "住院报销需要什么材料", "异地就医备案", "城乡居民医保怎么交",
    "新生儿医保", "居住证怎么办理", "居住证签注", "公积金提取", "租房提取公积金", "公积金贷款条件",
    "孩子上户口", "户口迁移", "身份证丢了", "临时身份证", "小学一年级报名", "随迁子女入学",
    "转学手续", "房产证怎么办", "二手房过户", "不动产登记查询", "停水通知", "水管爆了",
    "停电了找谁", "计划停电查询", "暖气不热", "供暖时间", "采暖费", "暖气报停", "拖欠工资投诉",
    "农民工工资", "劳动仲裁", "物业费", "维修资金", "业委会", "噪音扰民", "广场舞", "低保申请",
    "高龄津贴", "结婚登记", "燃气泄漏", "燃气开户", "路灯不亮", "占道经营", "秸秆焚烧",
    "消费投诉", "预付卡退费", "个税汇算", "出租车投诉", "营商环境", "驿城区政务服务中心",
    "西平县物业纠纷", "上蔡县消费投诉", "汝南县路灯", "电梯困人", "生育津贴", "门诊慢特病",
    "养老金领取", "失业金", "工伤认定",
]  # fmt: skip

VARIANT_NOTES = [
    "本条依据现行政策整理，政策调整时以最新公告为准。",
    "节假日期间窗口暂停办理，可通过网上渠道提交申请。",
    "材料不全的，窗口一次性告知需要补充的材料。",
    "代办的需携带代办人身份证和委托书。",
    "办理进度可以在“豫事办”APP中查询。",
    "老年人、残疾人等特殊群体可以预约上门服务。",
    "窗口实行“好差评”制度，对服务不满意的可以评价或拨打12345反映。",
    "如遇系统升级，网上渠道暂停服务，请关注公告。",
    "跨省办理的业务已纳入“跨省通办”清单。",
    "部分乡镇便民服务中心可以代收材料。",
]
YEARS = ["2024", "2025", "2026"]


def log(message: str) -> None:
    print(message, flush=True)


# -- generation ------------------------------------------------------------------------------


def generate(n: int, seed: int = 2026) -> list[dict]:
    """``n`` distinct entries: every demo answer × county × variant, with varied details."""
    from hotline.demo.knowledge_entries import all_entries
    from hotline.demo.org_data import COUNTIES, PLACES, TOWNSHIPS

    rng = random.Random(seed)
    base = all_entries()
    out: list[dict] = []
    i = 0
    while len(out) < n:
        item = base[i % len(base)]
        county = COUNTIES[(i // len(base)) % len(COUNTIES)]
        variant = i // (len(base) * len(COUNTIES))
        town = rng.choice(TOWNSHIPS[county["code"]])["short"]
        road = rng.choice(PLACES[county["code"]]["roads"])
        year = YEARS[variant % len(YEARS)]
        title = f"{county['name']}{item['title']}"
        if variant:
            title += f"（{town}·{year}年第{variant}版）"
        extra = " ".join(rng.sample(VARIANT_NOTES, 3))
        body = (
            f"{item['body']}\n\n**{county['name']}办理点**：{town}便民服务中心，{road}"
            f"{rng.randint(1, 399)}号，电话0396-{rng.randint(2000000, 8999999)}。\n\n{extra}"
        )
        out.append({**item, "title": title, "body": body, "org": item["org"]})
        i += 1
    return out


def segment_all(rows: list[dict], cache: Path) -> list[dict]:
    """Segment with the production indexing code (search.index_fields), cached on disk so the
    second database does not pay for it again."""
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from hotline.knowledge import search
    from hotline.knowledge.models import Entry

    search.tokenizer()
    started = time.perf_counter()
    out = []
    for row in rows:
        entry = Entry(
            title=row["title"],
            body=row["body"],
            keywords=row["keywords"],
            synonyms=row["synonyms"],
            category_name=row["category_name"],
        )
        search.index_fields(entry)
        out.append(
            {
                **row,
                "search_title": entry.search_title,
                "search_keywords": entry.search_keywords,
                "search_text": entry.search_text,
            }
        )
    log(f"  segmented {len(rows)} entries in {time.perf_counter() - started:.1f} s")
    cache.write_bytes(pickle.dumps(out))
    return out


# -- one database ----------------------------------------------------------------------------


def setup_django(vendor: str, workdir: Path) -> None:
    os.environ["HOTLINE_ENV"] = "test"
    os.environ["HOTLINE_DATA_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hotline.config.settings"
    if vendor == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        import psycopg

        base, name = PG_URL.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = PG_URL
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def drop_pg() -> None:
    import psycopg

    base, name = PG_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def bulk_load(rows: list[dict], *, public: bool = True) -> int:
    from django.db import connection
    from django.utils import timezone

    from hotline.knowledge import search
    from hotline.knowledge.models import Entry
    from hotline.orgs.models import Organisation

    orgs = {o.code: o.pk for o in Organisation.objects.all()}
    now = timezone.now()
    entries = [
        Entry(
            title=r["title"],
            body=r["body"],
            category_code=r["category_code"],
            category_name=r["category_name"],
            org_id=orgs.get(r["org"], orgs["urban"]),
            keywords=r["keywords"],
            synonyms=r["synonyms"],
            public=public,
            status="published",
            created_at=now,
            updated_at=now,
            published_at=now,
            reviewed_at=now,
            search_title=r["search_title"],
            search_keywords=r["search_keywords"],
            search_text=r["search_text"],
        )
        for r in rows
    ]
    started = time.perf_counter()
    search.get_backend().bulk_load(entries)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk load: hint bits, visibility map, statistics.
            cursor.execute("VACUUM ANALYZE knowledge_entry")
        else:
            cursor.execute(
                "INSERT INTO knowledge_entry_fts(knowledge_entry_fts) VALUES ('optimize')"
            )
            cursor.execute("ANALYZE")
    log(f"  loaded {len(entries)} entries in {time.perf_counter() - started:.1f} s")
    return len(entries)


def clear() -> None:
    from hotline.knowledge import search
    from hotline.knowledge.models import Entry

    Entry.objects.all().delete()
    search.get_backend().clear()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def time_queries(queries: list[str], *, page_size: int = 10) -> dict:
    from django.utils import timezone

    from hotline.knowledge.selectors import entry_search
    from hotline.orgs.models import User

    agent = User.objects.select_related("organisation").get(username="agent")
    now = timezone.now()
    for q in queries[:20]:  # warm up: dictionary, synonyms, caches
        entry_search(user=agent, q=q, now=now, page_size=page_size)
    timings = []
    for q in queries:
        started = time.perf_counter()
        entry_search(user=agent, q=q, now=now, page_size=page_size)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "queries": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "p99_ms": round(percentile(timings, 99), 1),
        "max_ms": round(max(timings), 1),
    }


FIRST_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
GREETING = re.compile(
    r"^\s*(尊敬的)?(网友|市民|群众|先生|女士|同志|朋友)?(们)?[：:，,\s]*(你好|您好)?[！!。，,：:\s]*"
)


def reply_title(reply: str) -> str:
    """The reply's first real sentence (greetings skipped), at most 60 characters."""
    text = GREETING.sub("", reply.strip(), count=1)
    for sentence in FIRST_SENTENCE.findall(text):
        sentence = sentence.strip()
        if len(re.findall(r"[\u4e00-\u9fff]", sentence)) >= 8:
            return sentence[:60]
    return text[:60] or "答复"


def relevance(limit: int | None) -> dict | None:
    if not DATASET.exists():
        log(f"  relevance: {DATASET} not found — skipped")
        return None
    from django.utils import timezone

    from hotline.knowledge import search
    from hotline.knowledge.models import Entry
    from hotline.knowledge.selectors import entry_search
    from hotline.orgs.models import User

    with DATASET.open(encoding="utf-8") as handle:
        messages = [
            r for r in csv.DictReader(handle) if r.get("答复意见", "").strip() and r.get("留言主题")
        ]
    if limit:
        messages = messages[:limit]
    clear()
    rows = []
    for m in messages:
        reply = m["答复意见"].strip()
        entry = Entry(title=reply_title(reply), body=reply, keywords=[], synonyms=[])
        search.index_fields(entry)
        rows.append(
            {
                "title": entry.title,
                "body": reply,
                "category_code": "tipdm",
                "category_name": "",
                "org": "urban",
                "keywords": [],
                "synonyms": [],
                "search_title": entry.search_title,
                "search_keywords": entry.search_keywords,
                "search_text": entry.search_text,
            }
        )
    bulk_load(rows)
    ids = list(Entry.objects.order_by("pk").values_list("pk", flat=True))
    body_of_id = dict(Entry.objects.values_list("pk", "body"))
    same_body: dict[str, set[int]] = {}
    for pk, body in body_of_id.items():
        same_body.setdefault(body, set()).add(pk)
    agent = User.objects.select_related("organisation").get(username="agent")
    now = timezone.now()
    hits = 0
    firsts = 0
    timings = []
    for message, own in zip(messages, ids, strict=True):
        started = time.perf_counter()
        page = entry_search(user=agent, q=message["留言主题"][:200], now=now, page_size=5)
        timings.append((time.perf_counter() - started) * 1000)
        acceptable = same_body[body_of_id[own]]
        if any(item.entry.pk in acceptable for item in page.items):
            hits += 1
        if page.items and page.items[0].entry.pk in acceptable:
            firsts += 1
    return {
        "messages": len(messages),
        "recall_at_1": round(firsts / len(messages), 3),
        "recall_at_5": round(hits / len(messages), 3),
        "p95_ms": round(percentile(timings, 95), 1),
        "duplicate_replies": sum(len(v) - 1 for v in same_body.values()),
    }


def run_one(vendor: str, args: argparse.Namespace, cache_dir: Path) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"hl-know-bench-{vendor}-"))
    log(f"== {vendor}: database in {workdir if vendor == 'sqlite' else PG_URL}")
    setup_django(vendor, workdir)
    if args.no_rerank:  # for before/after comparisons: the database's ranking only
        from hotline.knowledge import search

        search.RERANK_WINDOW = 0
    try:
        from hotline.calendar.services import calendar_seed_official
        from hotline.demo.orgs import seed_organisations, seed_users

        calendar_seed_official()
        seed_users(seed_organisations())
        from hotline.demo import knowledge_entries as demo_entries
        from hotline.knowledge import services
        from hotline.orgs.models import User

        admin = User.objects.get(username="admin")
        from django.utils import timezone

        for term, equivalents in demo_entries.SYNONYMS:
            services.synonym_upsert(
                term=term, equivalents=equivalents, actor=admin, now=timezone.now()
            )
        result: dict = {"vendor": vendor}
        if args.entries:
            rows = segment_all(generate(args.entries), cache_dir / f"seg-{args.entries}.pickle")
            result["entries"] = bulk_load(rows)
            rng = random.Random(7)
            queries = [rng.choice(AGENT_QUERIES) for _ in range(args.queries)]
            result["latency"] = time_queries(queries)
            log(f"  latency: {result['latency']}")
        if not args.skip_relevance:
            result["relevance"] = relevance(args.relevance_limit)
            if result["relevance"]:
                log(f"  relevance: {result['relevance']}")
        return result
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            if vendor == "postgresql":
                drop_pg()
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--skip-relevance", action="store_true")
    parser.add_argument("--relevance-limit", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--no-rerank", action="store_true", help="skip the re-ranking stage (comparison)"
    )
    parser.add_argument("--cache-dir", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # benchmarks/ holds scripts named like standard modules (calendar.py): drop it from the
    # path before Django imports them.
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if p and str(Path(p).resolve()) != here]
    own_cache = args.cache_dir is None
    cache_dir = Path(args.cache_dir or tempfile.mkdtemp(prefix="hl-know-bench-cache-"))
    try:
        return _run(args, cache_dir)
    finally:
        if own_cache and not args.keep:
            shutil.rmtree(cache_dir, ignore_errors=True)


def _run(args: argparse.Namespace, cache_dir: Path) -> int:
    if args.db != "both":
        result = run_one(args.db, args, cache_dir)
        if args.json:
            print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
        return 0
    results = []
    for vendor in ("sqlite", "postgresql"):
        command = [
            sys.executable,
            __file__,
            "--db",
            vendor,
            "--json",
            "--cache-dir",
            str(cache_dir),
        ]
        command += ["--entries", str(args.entries), "--queries", str(args.queries)]
        if args.skip_relevance:
            command.append("--skip-relevance")
        if args.relevance_limit:
            command += ["--relevance-limit", str(args.relevance_limit)]
        if args.keep:
            command.append("--keep")
        if args.no_rerank:
            command.append("--no-rerank")
        proc = subprocess.run(command, capture_output=True, text=True, check=False)
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                results.append(json.loads(line[len("RESULT ") :]))
            else:
                log(line)
        if proc.returncode:
            log(proc.stderr[-3000:])
            return proc.returncode
    log("\n== summary")
    for r in results:
        lat = r.get("latency") or {}
        rel = r.get("relevance") or {}
        log(
            f"{r['vendor']:<11} entries={r.get('entries', 0):>6}  p50={lat.get('p50_ms')} ms  "
            f"p95={lat.get('p95_ms')} ms  p99={lat.get('p99_ms')} ms  "
            f"recall@1={rel.get('recall_at_1', 'skipped')} "
            f"recall@5={rel.get('recall_at_5', 'skipped')} "
            f"(n={rel.get('messages', 0)}, query p95={rel.get('p95_ms')} ms)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
