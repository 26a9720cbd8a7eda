"""The README's library example runs as written (on the bundled sample log)."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_python_example_runs(tmp_path, capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "README has no python example"
    (tmp_path / "sample_logs").symlink_to(ROOT / "sample_logs")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        exec(compile(blocks[0], "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert "<svg" in (tmp_path / "map.svg").read_text()[:200]
    printed = capsys.readouterr().out
    assert "timestamp_outliers" in printed
    assert " y extra" not in printed  # the 1970 dates were fixed before the bottlenecks
