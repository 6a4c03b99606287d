"""The progress of long commands (hotline.core.progress): a line every tenth when there is no
terminal, nothing when asked for silence."""

import io

from hotline.core.progress import Progress, ProgressCallback


def test_without_a_terminal_a_line_is_written_each_tenth_once():
    out = io.StringIO()
    progress = Progress(200, label="导入", unit="条", line_label="import", out=out)
    for done in range(0, 201, 7):
        progress.update(done)
    progress.update(200)
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines == [f"  import: {tenth}%" for tenth in range(10, 101, 10)]


def test_lines_can_carry_detail_and_silence_writes_nothing():
    out = io.StringIO()
    progress = Progress(
        10, label="x", unit="条", out=out, describe=lambda done, day: f"{done}, day {day}"
    )
    progress.update(10, day=3)
    assert out.getvalue() == "  x: 100% (10, day 3)\n"
    quiet = io.StringIO()
    silent = ProgressCallback(label="x", unit="条", out=quiet, show=False)
    silent(5, 10)
    silent(10, 10)
    silent.close()
    assert quiet.getvalue() == ""
