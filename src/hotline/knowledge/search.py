"""Chinese full-text search for the knowledge base, on PostgreSQL and on SQLite.

Both databases see the same thing: text segmented by jieba in Python (``segment_*``), stored on
the entry in three columns (``search_title``, ``search_keywords``, ``search_text``) by the
service layer, and a query parsed into groups of alternative terms (synonyms) by
``parse_query``. Only ``SearchBackend`` differs:

- PostgreSQL: a stored generated ``tsvector`` column ``search_vector`` (weights A title,
  B keywords/synonyms/category, C body) with a GIN index, queried with an OR ``tsquery`` and
  ranked with ``ts_rank`` times each term's inverse document frequency;
- SQLite: an FTS5 table ``knowledge_entry_fts`` (rowid = entry id) kept in sync by
  ``SqliteBackend.sync`` in the same transaction as the write, ranked with ``bm25`` and column
  weights favouring title and keywords.

Results, scores aside, have the same shape; snippets and highlighting are made here in Python
for both.
"""

from __future__ import annotations

import html
import logging
import math
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db import connection, transaction

logger = logging.getLogger(__name__)

MAX_QUERY_TERMS = 16


def _word_list(text: str) -> list[str]:
    return text.split()


# Words that carry no meaning in a question to the hotline. Dropped from queries only; the
# index keeps them so that ranking statistics stay honest.
STOPWORDS = frozenset(
    _word_list(
        """
    的 了 和 与 及 或 是 在 有 没有 我 你 他 她 它 我们 你们 他们 您 这 那 这个 那个 这里 那里
    怎么 怎么办 怎样 如何 什么 哪里 哪儿 哪个 哪些 多少 几 吗 呢 吧 啊 呀 哦 嗯 请问 请 问 一下
    可以 能 能否 能不能 是否 需要 要 想 会 都 就 也 还 又 再 被 把 让 给 对 向 从 到 以 为 于
    关于 一个 一些 有关 相关 问题 情况 反映 咨询 了解 知道 告诉 现在 目前 已经 一直 为什么
    谢谢 你好 您好 麻烦 帮忙 上 下 中 里 时 后 前 等 及其 其 之 而 且 但 但是 因为 所以 如果
    """
    )
)

# Local names jieba does not know, added to the user dictionary together with every
# organisation's name, short name and keywords (place names, aliases, duties).
LOCAL_TERMS = _word_list(
    """
驻马店 驻马店市 天中 驿城 驿城区 西平 上蔡 平舆 正阳 确山 泌阳 汝南 遂平 新蔡 示范区 经开区
高新区 开发区 市民之家 政务服务中心 便民服务中心 党群服务中心 12345 12315 12366 12333 95598
医保 医保卡 医保码 医保报销 医疗保险 医疗保障 城乡居民医保 职工医保 异地就医 异地就医备案
门诊慢特病 慢特病 大病保险 生育津贴 社保 社保卡 电子社保卡 社保卡补办 社会保障卡 养老保险
养老金 灵活就业 失业保险 失业金 工伤认定 公积金 住房公积金 公积金贷款 公积金提取 居住证 暂住证
户籍 户口 户口本 上户口 落户 迁户口 出生登记 身份证 居民身份证 临时身份证
不动产 不动产登记 不动产权证 不动产权证书 房产证 二手房过户 入学 招生 划片 学区 随迁子女 学籍 转学
小升初 一年级 幼升小
停水 停电 停气 断水 断电 没电 没水 水压 供暖 暖气 采暖 采暖费 供热 报停 拖欠工资 欠薪 讨薪
农民工工资 劳动仲裁 劳动监察 物业 物业费 物业公司 业委会 维修资金 专项维修资金 噪音 噪声
广场舞 扰民 低保 特困 高龄津贴 婚姻登记 网约车 出租车 公交卡 营商环境 个税 汇算清缴 发票
电动自行车 上牌 秸秆焚烧 预付卡 消费投诉 食品安全 违章停车 占道经营 路灯 窨井盖 垃圾清运
燃气 天然气 燃气费 开户 电费 水费 户表改造 宅基地 核酸 疫苗 出生医学证明 准生证 生育登记
"""
)

_SPLIT = re.compile(r"[\W_]+", re.UNICODE)

_lock = threading.Lock()
_state: dict = {"tokenizer": None, "orgs_loaded": False, "orgs_tried": 0.0}
_ORG_RETRY_SECONDS = 60.0


def _new_tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in LOCAL_TERMS:
        tokenizer.add_word(word)
    return tokenizer


def _add_org_words(tokenizer) -> bool:
    """Organisation names, short names and keyword lists go into the user dictionary."""
    try:
        from hotline.orgs.models import Organisation

        rows = list(Organisation.objects.values_list("name", "short_name", "keywords"))
    except Exception:  # no database yet (checks, early tests): try again on the next call
        return False
    for name, short, keywords in rows:
        for word in [name, short, *keywords.split()]:
            word = word.strip()
            if len(word) >= 2 and word not in tokenizer.FREQ:
                tokenizer.add_word(word)
            if word.startswith("市") and len(word) >= 4:  # 市住建局 → 住建局
                tokenizer.add_word(word[1:])
    return True


def tokenizer():
    """The knowledge base's own jieba tokenizer (other contexts keep jieba's default one)."""
    with _lock:
        tk = _state["tokenizer"]
        if tk is None:
            tk = _state["tokenizer"] = _new_tokenizer()
        if (
            not _state["orgs_loaded"]
            and time.monotonic() - _state["orgs_tried"] > _ORG_RETRY_SECONDS
        ):
            _state["orgs_tried"] = time.monotonic()
            _state["orgs_loaded"] = _add_org_words(tk)
        return tk


def add_words(words: Iterable[str]) -> None:
    tk = tokenizer()
    for word in words:
        if len(word) >= 2 and word not in tk.FREQ:
            tk.add_word(word)


def reset_dictionary() -> None:
    """Forget the user dictionary (it is rebuilt on the next use), e.g. after new units."""
    with _lock:
        _state["tokenizer"] = None
        _state["orgs_loaded"] = False
        _state["orgs_tried"] = 0.0


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _words(pieces: Iterable[str]) -> list[str]:
    out = []
    for piece in pieces:
        for part in _SPLIT.split(piece):
            if part:
                out.append(part)
    return out


def index_tokens(text: str) -> list[str]:
    """Tokens stored in the index: jieba's search mode (compounds and their parts)."""
    return _words(tokenizer().cut_for_search(normalise(text)))


def segment(text: str) -> str:
    return " ".join(index_tokens(text))


def index_fields(entry) -> None:
    """Fill the segmented columns of ``entry`` (the one indexing code for every writer)."""
    entry.search_title = segment(entry.title)
    extra = [*entry.keywords, *entry.synonyms, entry.category_name]
    entry.search_keywords = segment(" ".join(x for x in extra if x))
    entry.search_text = segment(_markdown_to_text(entry.body))


# -- queries --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuery:
    """A query as groups of alternatives: ``[("医保", "医疗保险", "医疗保障"), ("报销",)]``.

    ``primary[i]`` says whether group i is a word of the query as written (jieba's precise
    mode) rather than a part of one (``消费`` and ``投诉`` of ``消费投诉``): entries holding every
    primary word are looked for first; the parts widen the "any word" fallback.
    """

    groups: tuple[tuple[str, ...], ...]
    primary: tuple[bool, ...] = ()
    highlight: tuple[str, ...] = field(default=())
    # the query as typed, normalised: its characters feed the re-ranking stage (``rerank``)
    text: str = ""

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def lexemes(self) -> list[str]:
        seen: dict[str, None] = {}
        for group in self.groups:
            for term in group:
                seen.setdefault(term, None)
        return list(seen)

    def only(self, keep) -> ParsedQuery:
        """The groups for which ``keep(group, is_primary)`` is true."""
        flags = self.primary or (True,) * len(self.groups)
        pairs = [(g, p) for g, p in zip(self.groups, flags, strict=True) if keep(g, p)]
        return ParsedQuery(
            groups=tuple(g for g, _p in pairs),
            primary=tuple(p for _g, p in pairs),
            highlight=self.highlight,
            text=self.text,
        )

    @property
    def primary_groups(self) -> ParsedQuery:
        return self.only(lambda _g, is_primary: is_primary)


def _query_words(text: str) -> list[tuple[str, bool]]:
    tk = tokenizer()
    words: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for word in _words(tk.cut(text)):
        if word in STOPWORDS or word in seen:
            continue
        seen.add(word)
        words.append((word, True))
    for word, _primary in list(words):
        if len(word) > 2:
            for part in _words(tk.cut_for_search(word)):
                if part not in seen and part not in STOPWORDS:
                    seen.add(part)
                    words.append((part, False))
    # Single characters match almost everything; keep them only when nothing else is left.
    if any(len(w) > 1 for w, _p in words):
        words = [(w, p) for w, p in words if len(w) > 1]
    return words


def parse_query(text: str, synonyms: dict[str, tuple[str, ...]] | None = None) -> ParsedQuery:
    synonyms = synonyms or {}
    text = normalise(text)
    groups: list[tuple[str, ...]] = []
    primary: list[bool] = []
    seen: set[str] = set()
    for token, is_primary in _query_words(text):
        if token in seen:
            continue
        alternatives = (token, *(s for s in synonyms.get(token, ()) if s != token))
        seen.update(alternatives)
        groups.append(alternatives)
        primary.append(is_primary)
        if len(groups) >= MAX_QUERY_TERMS:
            break
    highlight = sorted({t for g in groups for t in g}, key=len, reverse=True)
    return ParsedQuery(
        groups=tuple(groups), primary=tuple(primary), highlight=tuple(highlight), text=text
    )


SYNONYM_CACHE_KEY = "knowledge:synonyms:v1"


def synonym_map() -> dict[str, tuple[str, ...]]:
    """term → every equivalent term (groups are symmetric), from the active Synonym rows."""
    cached = cache.get(SYNONYM_CACHE_KEY)
    if cached is not None:
        return cached
    from hotline.knowledge.models import Synonym

    groups: dict[str, set[str]] = {}
    for term, equivalents in Synonym.objects.filter(active=True).values_list("term", "equivalents"):
        members = {normalise(term), *(normalise(e) for e in equivalents or [])}
        members.discard("")
        union = set(members)
        for member in members:
            union |= groups.get(member, set())
        for member in union:
            groups[member] = union
    result = {term: tuple(sorted(members)) for term, members in groups.items()}
    add_words(result)
    cache.set(SYNONYM_CACHE_KEY, result, 300)
    return result


def forget_synonyms() -> None:
    # Now for this process, and again after commit in case another request cached the old
    # list in between.
    cache.delete(SYNONYM_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SYNONYM_CACHE_KEY))


# -- filters --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    """What a search may return; compiled to SQL once for both backends."""

    statuses: tuple[str, ...] = ("published",)
    # Entries not yet (or no longer) published are visible only for these organisations;
    # ``None`` means every organisation (the center's reviewers).
    unpublished_org_ids: tuple[int, ...] | None = ()
    public: bool | None = None
    org_id: int | None = None
    category_code: str | None = None
    in_effect_on: date | None = None

    def sql(self, alias: str = "e") -> tuple[str, list]:
        ops = connection.ops
        where: list[str] = []
        params: list = []
        placeholders = ", ".join(["%s"] * len(self.statuses))
        where.append(f"{alias}.status IN ({placeholders})")
        params.extend(self.statuses)
        if self.unpublished_org_ids is not None and any(s != "published" for s in self.statuses):
            if self.unpublished_org_ids:
                ids = ", ".join(["%s"] * len(self.unpublished_org_ids))
                where.append(f"({alias}.status = 'published' OR {alias}.org_id IN ({ids}))")
                params.extend(self.unpublished_org_ids)
            else:
                where.append(f"{alias}.status = 'published'")
        if self.public is not None:
            where.append(f"{alias}.public = %s")
            params.append(self.public)
        if self.org_id is not None:
            where.append(f"{alias}.org_id = %s")
            params.append(self.org_id)
        if self.category_code:
            where.append(f"({alias}.category_code = %s OR {alias}.category_code LIKE %s)")
            params.extend([self.category_code, self.category_code + ".%"])
        if self.in_effect_on is not None:
            day = ops.adapt_datefield_value(self.in_effect_on)
            where.append(
                f"({alias}.effective_from IS NULL OR {alias}.effective_from <= %s) AND "
                f"({alias}.expires_on IS NULL OR {alias}.expires_on >= %s)"
            )
            params.extend([day, day])
        return " AND ".join(where), params


Hit = tuple[int, float]


# -- term statistics -------------------------------------------------------------------------

TERM_MAX = 100
DOC_COUNT_KEY = ""  # the SearchTerm row that counts indexed entries
# A term found in more than this share of entries (and in more than COMMON_MIN_DF of them)
# does not make an entry match on its own: "办理", "材料", "电话" are in most answers.
COMMON_SHARE = 0.2
COMMON_MIN_DF = 200
# First the entries holding every word are looked for; with fewer than this many, entries
# holding any word.
ALL_WORDS_MIN = 5
# "Any word" uses the rarest words whose document frequencies add up to at most this many
# entries (at least one word): rare words decide the ranking anyway, and the cost of a query
# grows with the entries it touches.
MATCH_BUDGET = 3000
# PostgreSQL re-ranks this many candidates with per-term IDF weights.
PG_CANDIDATES = 200


def doc_terms(entry) -> set[str]:
    """The distinct tokens an entry contributes to the index: the words of its segmented
    columns, and the characters and character pairs of its text (``GRAM_PREFIX``), whose
    document frequencies weight the re-ranking stage (``rerank``)."""
    text = " ".join([entry.search_title, entry.search_keywords, entry.search_text])
    return {t[:TERM_MAX] for t in text.split()} | gram_terms(rerank_text(entry))


# -- character n-grams (the re-ranking stage) ------------------------------------------------------

# Statistics of characters and character pairs live in SearchTerm beside the words, under this
# prefix (words never contain it: they are split on non-word characters).
GRAM_PREFIX = "#"


# Full-width letters and digits as their ASCII forms: the part of NFKC that matters for
# counting characters (punctuation separates words either way), at a fraction of its cost.
_FULL_WIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_FULL_WIDTH = {
    c: chr(c - 0xFEE0)
    for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}


def rerank_text(entry) -> str:
    """The text the re-ranking stage reads: title, keywords, synonyms, category and body,
    lower-cased, full-width forms folded. Read for up to RERANK_WINDOW candidates per query,
    so it is kept cheap: the Markdown stays (its syntax characters are not word characters, so
    no character pair of ``grams`` spans them)."""
    extra = [*(entry.keywords or []), *(entry.synonyms or []), entry.category_name or ""]
    text = "\n".join([entry.title or "", " ".join(x for x in extra if x), entry.body or ""])
    if _FULL_WIDTH_ALNUM.search(text):
        text = text.translate(_FULL_WIDTH)
    return text.lower()


def grams(text: str) -> list[str]:
    """Single characters and pairs of adjacent characters within each run of word characters
    (``"医保报销"`` → 医 保 报 销 医保 保报 报销), in order, with repeats."""
    out: list[str] = []
    for run in _SPLIT.split(text):
        if run:
            out.extend(run)
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def gram_terms(text: str) -> set[str]:
    return {GRAM_PREFIX + g for g in grams(text)}


def apply_term_deltas(deltas: dict[str, int]) -> None:
    """Add ``deltas`` to the document frequencies, in term order (so two writers lock rows in
    the same order), one statement per batch; the same SQL on PostgreSQL and SQLite."""
    items = sorted((t, d) for t, d in deltas.items() if d)
    with connection.cursor() as cursor:
        for start in range(0, len(items), 400):
            batch = items[start : start + 400]
            values = ", ".join(["(%s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO knowledge_searchterm (term, df) VALUES {values} "  # noqa: S608
                "ON CONFLICT (term) DO UPDATE SET df = knowledge_searchterm.df + excluded.df",
                [x for pair in batch for x in pair],
            )


def update_index(entry, *, old_terms: set[str] | None) -> None:
    """After an entry was saved with fresh segmented columns: bring the full-text index and
    the term statistics up to date. ``old_terms`` is None for a new entry."""
    get_backend().sync([entry])
    new_terms = doc_terms(entry)
    deltas = dict.fromkeys(new_terms - (old_terms or set()), 1)
    deltas.update(dict.fromkeys((old_terms or set()) - new_terms, -1))
    if old_terms is None:
        deltas[DOC_COUNT_KEY] = 1
    apply_term_deltas(deltas)


@dataclass(frozen=True)
class TermStats:
    entries: int
    df: dict[str, int]

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.entries - df + 0.5) / (df + 0.5))

    def common(self, term: str) -> bool:
        return self.df.get(term, 0) > max(COMMON_MIN_DF, COMMON_SHARE * self.entries)


def term_stats(terms: Sequence[str]) -> TermStats:
    keys = sorted({t[:TERM_MAX] for t in terms} | {DOC_COUNT_KEY})
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(keys))
        cursor.execute(
            f"SELECT term, df FROM knowledge_searchterm WHERE term IN ({placeholders})",  # noqa: S608
            keys,
        )
        df = dict(cursor.fetchall())
    entries = max(0, df.pop(DOC_COUNT_KEY, 0))
    return TermStats(entries=entries, df={t: df.get(t[:TERM_MAX], 0) for t in terms})


def group_df(group: Sequence[str], stats: TermStats) -> int:
    return min(stats.entries or 1, sum(stats.df.get(t, 0) for t in group))


def within_budget(query: ParsedQuery, stats: TermStats) -> ParsedQuery:
    """The rarest groups of ``query`` whose document frequencies add up to MATCH_BUDGET."""
    chosen: set[tuple[str, ...]] = set()
    total = 0
    for group in sorted(query.groups, key=lambda g: group_df(g, stats)):
        df = group_df(group, stats)
        if chosen and total + df > MATCH_BUDGET:
            break
        chosen.add(group)
        total += df
    return query.only(lambda g, _p: g in chosen)


def informative(query: ParsedQuery, stats: TermStats) -> ParsedQuery:
    """Keep the terms that tell entries apart: drop terms no entry has, and terms in a large
    share of entries (unless nothing else is left: then the two rarest)."""
    present = [t for t in query.lexemes if stats.df.get(t, 0) > 0]
    kept = [t for t in present if not stats.common(t)]
    if not kept:
        kept = sorted(present, key=lambda t: stats.df[t])[:2]
    keep = set(kept)
    flags = query.primary or (True,) * len(query.groups)
    pairs = [
        (tuple(t for t in group if t in keep), is_primary)
        for group, is_primary in zip(query.groups, flags, strict=True)
    ]
    pairs = [(g, p) for g, p in pairs if g]
    return ParsedQuery(
        groups=tuple(g for g, _p in pairs),
        primary=tuple(p for _g, p in pairs),
        highlight=query.highlight,
        text=query.text,
    )


# -- backends ----------------------------------------------------------------------------------
# SQL below is composed from fixed table and column names and the placeholder-only WHERE of
# SearchFilters.sql(); every value (query terms, filters, paging) is a bound parameter, hence
# the S608 exemptions.


class SearchBackend:
    """The vendor-specific part: keeping the index in sync and running a ranked query."""

    vendor = ""

    def sync(self, entries: Sequence) -> None:
        """Make the full-text index reflect ``entries`` (saved, segmented columns filled)."""

    def clear(self) -> None:
        """Empty the index and the term statistics (benchmarks and re-indexing)."""
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_searchterm")

    def bulk_load(self, entries: Sequence, *, batch_size: int = 2000) -> None:
        """Insert many new entries at once (benchmarks, large imports): the same segmented
        columns and statistics as the service layer, without one transaction per entry."""
        from hotline.knowledge.models import Entry

        counts: dict[str, int] = {}
        for start in range(0, len(entries), batch_size):
            batch = entries[start : start + batch_size]
            for entry in batch:
                if not entry.search_title and entry.title:
                    index_fields(entry)
                for term in doc_terms(entry):
                    counts[term] = counts.get(term, 0) + 1
            created = Entry.objects.bulk_create(batch)
            if created and created[0].pk is None:  # backends that do not return ids
                raise RuntimeError("bulk_create did not return primary keys")
            self.sync(created)
        counts[DOC_COUNT_KEY] = counts.get(DOC_COUNT_KEY, 0) + len(entries)
        apply_term_deltas(counts)

    def search(
        self,
        query: ParsedQuery,
        filters: SearchFilters,
        *,
        limit: int,
        offset: int,
        require_all: bool = False,
    ) -> tuple[list[Hit], int]:
        """Entries holding every group of ``query`` (``require_all``) or any of them, best
        first, and how many match. A group matches on any of its alternatives."""
        raise NotImplementedError

    def recent(self, filters: SearchFilters, *, limit: int, offset: int) -> tuple[list[Hit], int]:
        """No query text: the most recently published entries first."""
        where, params = filters.sql("e")
        sql = (
            "SELECT e.id, 0.0, COUNT(*) OVER () FROM knowledge_entry e "  # noqa: S608
            f"WHERE {where} "
            "ORDER BY COALESCE(e.published_at, e.updated_at) DESC, e.id DESC LIMIT %s OFFSET %s"
        )
        count_sql = f"SELECT COUNT(*) FROM knowledge_entry e WHERE {where}"  # noqa: S608
        return self._run(sql, [*params, limit, offset], count_sql, params, offset=offset)

    @staticmethod
    def _run(
        sql: str, params: list, count_sql: str, count_params: list, *, offset: int
    ) -> tuple[list[Hit], int]:
        """One query gives the page and, through a window count, the total."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if rows:
                return [(int(r[0]), float(r[1] or 0.0)) for r in rows], int(rows[0][2])
            if not offset:
                return [], 0
            # Past the last page the window count is not available: count on its own.
            cursor.execute(count_sql, count_params)
            return [], int(cursor.fetchone()[0])


class SqliteBackend(SearchBackend):
    """FTS5 with bm25; the FTS table is written in the same transaction as the entry."""

    vendor = "sqlite"
    TABLE = "knowledge_entry_fts"
    # bm25 column weights: title, keywords (incl. synonyms and category), body.
    WEIGHTS = (3.0, 2.0, 1.0)

    def sync(self, entries: Sequence) -> None:
        if not entries:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                "DELETE FROM knowledge_entry_fts WHERE rowid = %s", [(e.pk,) for e in entries]
            )
            cursor.executemany(
                "INSERT INTO knowledge_entry_fts(rowid, title, keywords, body) "
                "VALUES (%s, %s, %s, %s)",
                [(e.pk, e.search_title, e.search_keywords, e.search_text) for e in entries],
            )

    def clear(self) -> None:
        super().clear()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_entry_fts")

    @staticmethod
    def match_expression(query: ParsedQuery, *, require_all: bool = False) -> str:
        # Every lexeme is quoted (no FTS5 syntax from users); bm25 rewards entries that match
        # more, and rarer, terms.
        groups = [
            "(" + " OR ".join('"' + t.replace('"', '""') + '"' for t in group) + ")"
            for group in query.groups
        ]
        return (" AND " if require_all else " OR ").join(groups)

    def search(
        self,
        query: ParsedQuery,
        filters: SearchFilters,
        *,
        limit: int,
        offset: int,
        require_all: bool = False,
    ) -> tuple[list[Hit], int]:
        where, params = filters.sql("e")
        weights = ", ".join(str(w) for w in self.WEIGHTS)
        match = self.match_expression(query, require_all=require_all)
        # bm25() cannot sit beside a window function, so rank in a materialised CTE first.
        sql = (
            "WITH m AS MATERIALIZED ("  # noqa: S608
            f"SELECT e.id AS id, -bm25({self.TABLE}, {weights}) AS score "
            f"FROM {self.TABLE} JOIN knowledge_entry e ON e.id = {self.TABLE}.rowid "
            f"WHERE {self.TABLE} MATCH %s AND {where}) "
            "SELECT id, score, COUNT(*) OVER () FROM m "
            "ORDER BY score DESC, id DESC LIMIT %s OFFSET %s"
        )
        count_sql = (
            f"SELECT COUNT(*) FROM {self.TABLE} JOIN knowledge_entry e "  # noqa: S608
            f"ON e.id = {self.TABLE}.rowid WHERE {self.TABLE} MATCH %s AND {where}"
        )
        return self._run(
            sql, [match, *params, limit, offset], count_sql, [match, *params], offset=offset
        )


class PostgresBackend(SearchBackend):
    """A generated, weighted tsvector column with a GIN index; nothing to sync by hand."""

    vendor = "postgresql"
    # ts_rank weights in the order {D, C, B, A}: body is C, keywords B, title A.
    WEIGHTS = "{0.1, 0.8, 0.9, 1.0}"
    # ts_rank normalisation: 1 divides by 1 + log(document length).
    NORMALIZATION = 1

    def __init__(self, stats: TermStats | None = None) -> None:
        self.stats = stats

    @staticmethod
    def lexeme(term: str) -> str:
        return "'" + term.replace("\\", "").replace("'", "''") + "'"

    def group_tsquery(self, group: Sequence[str]) -> str:
        return "(" + " | ".join(self.lexeme(t) for t in group) + ")"

    def tsquery(self, query: ParsedQuery, *, require_all: bool = False) -> str:
        joiner = " & " if require_all else " | "
        return joiner.join(self.group_tsquery(g) for g in query.groups)

    def search(
        self,
        query: ParsedQuery,
        filters: SearchFilters,
        *,
        limit: int,
        offset: int,
        require_all: bool = False,
    ) -> tuple[list[Hit], int]:
        # Ranking reads the large body tsvector (TOASTed) only for a few candidates:
        # 1. candidates: with one group or all groups required, every match ranked by ts_rank
        #    over the small title+keywords vector ``search_head``; with any of several groups,
        #    the sum of the IDF of the groups each entry holds (one GIN scan per group, which
        #    touches only heap rows, never the vectors);
        # 2. the best PG_CANDIDATES re-ranked by Σ idf(term) · ts_rank(term) on the full vector.
        where, params = filters.sql("e")
        stats = self.stats or term_stats(query.lexemes)
        window = max(PG_CANDIDATES, -(-(offset + limit) // PG_CANDIDATES) * PG_CANDIDATES)
        full = self.tsquery(query, require_all=require_all)
        if require_all or len(query.groups) == 1:
            candidates = (
                "SELECT e.id, ts_rank(%s::float4[], e.search_head, to_tsquery('simple', %s), 1) "  # noqa: S608
                "AS r, COUNT(*) OVER () AS total FROM knowledge_entry e "
                f"WHERE e.search_vector @@ to_tsquery('simple', %s) AND {where}"
            )
            candidate_params = [self.WEIGHTS, full, full, *params]
        else:
            unions = " UNION ALL ".join(
                [
                    "SELECT e.id, %s::float8 AS w FROM knowledge_entry e "  # noqa: S608
                    f"WHERE e.search_vector @@ to_tsquery('simple', %s) AND {where}"
                ]
                * len(query.groups)
            )
            candidates = (
                f"SELECT h.id, SUM(h.w) AS r, COUNT(*) OVER () AS total FROM ({unions}) h "  # noqa: S608
                "GROUP BY h.id"
            )
            candidate_params = []
            for group in query.groups:
                df = group_df(group, stats)
                idf = math.log(1 + (stats.entries - df + 0.5) / (df + 0.5))
                candidate_params += [idf, self.group_tsquery(group), *params]
        parts = " + ".join(
            ["ts_rank(%s::float4[], e.search_vector, to_tsquery('simple', %s), %s) * %s"]
            * len(query.lexemes)
        )
        sql = (
            f"WITH c AS MATERIALIZED ({candidates} ORDER BY r DESC, id DESC LIMIT %s) "  # noqa: S608
            f"SELECT c.id, ({parts}) + c.r * 0.001 AS score, c.total "
            "FROM c JOIN knowledge_entry e ON e.id = c.id "
            "ORDER BY score DESC, c.id DESC LIMIT %s OFFSET %s"
        )
        term_params: list = []
        for term in query.lexemes:
            term_params += [self.WEIGHTS, self.lexeme(term), self.NORMALIZATION, stats.idf(term)]
        all_params = [*candidate_params, window, *term_params, limit, offset]
        count_sql = (
            "SELECT COUNT(*) FROM knowledge_entry e "  # noqa: S608
            f"WHERE e.search_vector @@ to_tsquery('simple', %s) AND {where}"
        )
        return self._run(sql, all_params, count_sql, [full, *params], offset=offset)


def get_backend(*, stats: TermStats | None = None) -> SearchBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend(stats)
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise RuntimeError(f"knowledge search does not support the {connection.vendor} database")


def find(
    query: ParsedQuery,
    filters: SearchFilters,
    *,
    limit: int,
    offset: int,
    loaded: dict | None = None,
) -> tuple[list[Hit], int]:
    """The search, the same on both databases: drop the words no entry has and those too
    common to tell entries apart (``informative``); look for entries holding every word as
    typed; with fewer than ALL_WORDS_MIN of them, for entries holding any of the rarest words
    and their parts (``within_budget``); re-rank the first RERANK_WINDOW (``rerank``).
    Returns one page of (entry id, score) and the count; the entries the re-ranking read
    (with their organisation) are put in ``loaded``, by id, when it is given."""
    qgrams = query_grams(query)
    stats = term_stats([*query.lexemes, *(GRAM_PREFIX + g for g in qgrams)])
    matching = informative(query, stats)
    if matching.empty:  # no entry has any of the words
        return [], 0
    backend = get_backend(stats=stats)
    # The first RERANK_WINDOW results are re-ranked: fetch them all when the page lies in
    # (or reaches into) them; pages beyond keep the database's order.
    reranked = offset < RERANK_WINDOW
    fetch_limit, fetch_offset = (
        (max(RERANK_WINDOW, offset + limit), 0) if reranked else (limit, offset)
    )
    hits: list[Hit] = []
    total = 0
    words = matching.primary_groups
    if not words.empty and (len(words.groups) > 1 or len(words.groups) < len(matching.groups)):
        hits, total = backend.search(
            words, filters, limit=fetch_limit, offset=fetch_offset, require_all=True
        )
    if total < ALL_WORDS_MIN:
        hits, total = backend.search(
            within_budget(matching, stats), filters, limit=fetch_limit, offset=fetch_offset
        )
    if reranked:
        hits = rerank(hits[:RERANK_WINDOW], qgrams, stats, loaded=loaded) + hits[RERANK_WINDOW:]
        hits = hits[offset : offset + limit]
    return hits, total


# -- re-ranking -----------------------------------------------------------------------------------

# The database's best RERANK_WINDOW candidates are scored again in Python with BM25 over the
# characters and character pairs of the query (``grams``), IDF from the corpus statistics
# (SearchTerm, GRAM_PREFIX), counted in each candidate's text: it rewards entries that share
# more of the query's wording than whole-word matching sees (驾照 ~ 驾驶证, 上牌 ~ 车牌), at the
# cost of one small query for the candidates' text.
RERANK_WINDOW = 50
RERANK_K1 = 1.2
RERANK_B = 0.9
# Weight of the database's own score (normalised to the best candidate) against the n-gram
# score (normalised likewise): ties and near-ties keep the word-level order.
RERANK_FIRST_STAGE = 0.2


def query_grams(query: ParsedQuery) -> list[str]:
    """The characters and character pairs of the query as typed and of every synonym of its
    words, once each (stop-words included: their IDF is small, and the pairs they form with
    their neighbours can tell entries apart)."""
    seen: dict[str, None] = dict.fromkeys(grams(query.text))
    for term in query.lexemes:
        for gram in grams(term):
            seen.setdefault(gram, None)
    return list(seen)


def rerank(
    hits: list[Hit], qgrams: Sequence[str], stats: TermStats, *, loaded: dict | None = None
) -> list[Hit]:
    """``hits`` in a new order (see RERANK_WINDOW). The scores handed back are the database's
    own, in descending order, given out in the new order, so that scores keep falling from one
    page to the next."""
    weights: dict[str, float] = {}
    for gram in qgrams:
        df = stats.df.get(GRAM_PREFIX + gram, 0)
        if df > 0:
            weights[gram] = math.log(1 + (stats.entries - df + 0.5) / (df + 0.5))
    if len(hits) < 2 or not weights:
        return hits
    from hotline.knowledge.models import Entry

    # The segmented columns are large (and out of line on PostgreSQL); nobody reads them here.
    rows = (
        Entry.objects.select_related("org")
        .defer("search_title", "search_keywords", "search_text")
        .in_bulk([pk for pk, _s in hits])
    )
    if loaded is not None:
        loaded.update(rows)
    texts = {pk: rerank_text(e) for pk, e in rows.items()}
    average = sum(len(t) for t in texts.values()) / max(1, len(texts)) or 1.0
    gram_scores: list[float] = []
    for pk, _score in hits:
        text = texts.get(pk, "")
        norm = RERANK_K1 * (1 - RERANK_B + RERANK_B * len(text) / average)
        total = 0.0
        for gram, idf in weights.items():
            tf = text.count(gram)
            if tf:
                total += idf * tf * (RERANK_K1 + 1) / (tf + norm)
        gram_scores.append(total)
    best_gram = max(gram_scores)
    best_first = max(score for _pk, score in hits)
    if best_gram <= 0:
        return hits
    combined = [
        (
            gram / best_gram + RERANK_FIRST_STAGE * (score / best_first if best_first > 0 else 0.0),
            -i,
        )
        for i, (gram, (_pk, score)) in enumerate(zip(gram_scores, hits, strict=True))
    ]
    order = sorted(range(len(hits)), key=lambda i: combined[i], reverse=True)
    scores = sorted((score for _pk, score in hits), reverse=True)
    return [(hits[i][0], scores[n]) for n, i in enumerate(order)]


# -- snippets and highlighting --------------------------------------------------------------------

_MD_PATTERNS = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M), ""),
    (re.compile(r"^\s*\|?[-:| ]{3,}\|?\s*$", re.M), ""),
    (re.compile(r"[*_`~]{1,3}"), ""),
    (re.compile(r"<[^>]+>"), ""),
    (re.compile(r"\|"), " "),
]


def _markdown_to_text(body: str) -> str:
    text = body or ""
    for pattern, repl in _MD_PATTERNS:
        text = pattern.sub(repl, text)
    return text


def plain_text(body: str) -> str:
    """Markdown reduced to one line of text, for snippets."""
    return re.sub(r"\s+", " ", _markdown_to_text(body)).strip()


def _term_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    terms = [t for t in terms if t]
    if not terms:
        return None
    ordered = sorted(set(terms), key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)


def highlight(text: str, terms: Sequence[str]) -> str:
    """``text`` as escaped HTML with every term wrapped in ``<mark>``."""
    pattern = _term_pattern(terms)
    if pattern is None:
        return html.escape(text)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def make_snippet(body: str, terms: Sequence[str], *, width: int = 110) -> str:
    """The passage of ``body`` that holds the most distinct query terms, highlighted."""
    text = plain_text(body)
    pattern = _term_pattern(terms)
    start = 0
    if pattern is not None:
        matches = [(m.start(), m.group(0).lower()) for m in pattern.finditer(text)][:300]
        best = -1
        for i, (pos, _term) in enumerate(matches):
            found = {t for p, t in matches[i:] if p < pos + width - 10}
            if len(found) > best:
                best, start = len(found), max(0, pos - 12)
    end = min(len(text), start + width)
    if end - start < width:
        start = max(0, end - width)
    window = text[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + highlight(window, terms) + suffix
