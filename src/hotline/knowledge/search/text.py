"""Text handling of the knowledge search: the jieba tokenizer with the local dictionary, the
normalised and segmented forms the index stores, and the snippets and highlighting of results
(plain Python, the same for both databases)."""

from __future__ import annotations

import html
import logging
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence

from hotline.orgs.models import Organisation


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
