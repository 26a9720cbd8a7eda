"""The README's library example runs as written (on the bundled sample log)."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_python_examples_run(tmp_path, capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "README has no python example"
    for folder in ("sample_logs", "sim"):  # the paths the examples use, relative to the repository
        (tmp_path / folder).symlink_to(ROOT / folder)
    cwd = Path.cwd()
    os.chdir(tmp_path)
    namespace: dict = {}
    try:
        for block in blocks:
            exec(compile(block, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    assert "<svg" in (tmp_path / "map.svg").read_text()[:200]
    printed = capsys.readouterr().out
    assert "timestamp_outliers" in printed
    assert " y extra" not in printed  # the 1970 dates were fixed before the bottlenecks
    assert "name: " in (tmp_path / "p2p_model.yaml").read_text()[:2000]
    assert "bot approves requisitions" in printed  # one line per scenario of the example file
