"""Chinese text preparation shared by the classifier and the duplicate engine.

Pure Python (jieba is imported lazily, only when unsegmented text needs words). No Django.

Two kinds of input reach us: what an agent types (unsegmented Chinese with punctuation, maybe a
few spaces) and text that is already segmented, words separated by spaces (the public
tipdm2020c data set, exports from other systems). ``word_tokens`` detects which one it got, so
both give the same words: segmented text is split, unsegmented text goes through jieba (the same
segmenter that produced the segmented data).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Boilerplate that agents and intake forms put around the citizen's words. It carries no
# information about the matter, and left in it makes unrelated tickets look alike.
DEFAULT_BOILERPLATE: tuple[str, ...] = (
    "市民来电反映",
    "市民来电咨询",
    "市民来电投诉",
    "市民来电举报",
    "市民来电求助",
    "市民来电建议",
    "市民来电称",
    "市民来电",
    "来电人反映",
    "来电人咨询",
    "来电人称",
    "来电人",
    "来电反映",
    "来电咨询",
    "来电称",
    "诉求人反映",
    "诉求人咨询",
    "诉求人投诉",
    "诉求人称",
    "诉求人",
    "市民反映",
    "市民咨询",
    "市民称",
    "群众反映",
    "网友反映",
    "网民反映",
    "请相关部门核实处理",
    "请相关部门尽快处理",
    "请相关部门处理",
    "请有关部门核实处理",
    "请有关部门处理",
    "望尽快处理",
    "请尽快处理",
    "请予以处理",
    "请核实处理",
    "尊敬的领导",
    "领导您好",
    "您好",
    "谢谢",
)

_NON_WORD = re.compile(r"[\W_]+")  # punctuation, symbols, whitespace (CJK characters are \w)
_PUNCTUATION = re.compile(r"[^\w\s]+|_+")  # the same without whitespace
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SPACE_BETWEEN_CJK = re.compile(
    r"(?<=[\u3400-\u9fff\uf900-\ufaff])\s+(?=[\u3400-\u9fff\uf900-\ufaff])"
)

# Share of gaps between two CJK characters that are spaces above which text counts as already
# segmented. Segmented Chinese has a space every ~2 characters (≈0.4); typed text has
# practically none. Anything between the two is treated as typed (jieba re-segments chunks).
SEGMENTED_SPACE_RATIO = 0.15


def halfwidth(text: str) -> str:
    """Full-width letters, digits, punctuation and the ideographic space → half-width (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def is_segmented(text: str) -> bool:
    """True when ``text`` already has words separated by spaces (see SEGMENTED_SPACE_RATIO)."""
    cjk = len(_CJK.findall(text))
    if cjk < 4:
        return False
    gaps = len(_SPACE_BETWEEN_CJK.findall(text))
    return gaps / cjk >= SEGMENTED_SPACE_RATIO


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # loads the bundled dictionary; nothing is downloaded
    return jieba


def fold(text: str) -> str:
    """Half-width and lower case: the form both feature blocks start from."""
    return halfwidth(text).lower()


def word_tokens(text: str, *, folded: bool = False) -> list[str]:
    """Words of ``text``, lower-cased, half-width, without punctuation.

    Segmented input is split on whitespace; anything else is segmented with jieba (default
    dictionary, HMM on — the settings that produced the segmented public data). ``folded``:
    the caller already applied :func:`fold`.
    """
    if not folded:
        text = fold(text)
    if is_segmented(text):
        # Dropping punctuation from the whole text, then splitting, gives the same words as
        # cleaning word by word, in one regex pass.
        return _PUNCTUATION.sub("", text).split()
    jieba = _jieba()
    chunks = [w for part in text.split() for w in jieba.lcut(part)]
    return [w for w in (_NON_WORD.sub("", c) for c in chunks) if w]


def char_text(text: str, *, folded: bool = False) -> str:
    """Text for character n-grams: half-width, lower-cased, no whitespace or punctuation."""
    return _NON_WORD.sub("", text if folded else fold(text))


def compile_boilerplate(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any phrase (longest first), compared after half-width folding."""
    cleaned = sorted({_NON_WORD.sub("", halfwidth(p).lower()) for p in phrases} - {""}, key=len)
    if not cleaned:
        return None
    return re.compile("|".join(re.escape(p) for p in reversed(cleaned)))


DEFAULT_BOILERPLATE_RE = compile_boilerplate(DEFAULT_BOILERPLATE)


def normalize_for_matching(
    text: str, boilerplate: re.Pattern[str] | None = DEFAULT_BOILERPLATE_RE
) -> str:
    """Canonical form for duplicate detection.

    Full-width → half-width, lower case, every space, punctuation mark and symbol dropped,
    then the boilerplate phrases removed (``boilerplate`` is a pattern from
    :func:`compile_boilerplate`; ``None`` keeps them). Two tickets that differ only in those
    respects normalise to the same string.
    """
    # Punctuation first, so a phrase broken by a comma or space ("市民来电，反映") still matches.
    text = _NON_WORD.sub("", halfwidth(text).lower())
    if boilerplate is not None:
        text = boilerplate.sub("", text)
    return text
