"""Chart images for the Word reports (matplotlib, no display). Chinese labels need a CJK
font: the setup installs Debian's fonts-noto-cjk; without one the charts label their bars
with codes and numbers only, so a report is still produced."""

from __future__ import annotations

import functools
from io import BytesIO


@functools.cache
def cjk_font() -> str | None:
    from matplotlib import font_manager

    for font in font_manager.fontManager.ttflist:
        name = font.name
        if "CJK" in name or name in ("WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "SimSun"):
            return name
    return None


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    font = cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    fig, ax = plt.subplots(figsize=(6.3, 2.8), dpi=120)
    return plt, fig, ax


def _png(plt, fig) -> bytes:
    buffer = BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def _labels(labels: list[str], codes: list[str]) -> list[str]:
    return labels if cjk_font() else codes


def line_chart(days: list[str], series: dict[str, list[int]], codes: dict[str, str]) -> bytes:
    plt, fig, ax = _figure()
    for name, values in series.items():
        ax.plot(
            range(len(days)),  # positions, not the date strings: no categorical-axis guessing
            values,
            marker="o",
            markersize=2,
            label=name if cjk_font() else codes.get(name, name),
        )
    ax.legend(loc="upper left", fontsize=8)
    step = max(1, len(days) // 8)
    ax.set_xticks(range(0, len(days), step), [d[5:] for d in days[::step]], fontsize=7)
    ax.grid(alpha=0.3)
    return _png(plt, fig)


def bar_chart(labels: list[str], values: list[float], codes: list[str] | None = None) -> bytes:
    plt, fig, ax = _figure()
    shown = _labels(labels, codes or [str(i + 1) for i in range(len(labels))])
    ax.barh(shown[::-1], values[::-1], color="#1f6fb2")
    ax.tick_params(labelsize=7)
    ax.grid(axis="x", alpha=0.3)
    return _png(plt, fig)
