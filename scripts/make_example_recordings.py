"""Write ``docs/example_recordings.csv``: the example of ``docs/recordings.md``.

The recordings are :func:`stpwidget.examples.example_file_recordings` (the depressing
preset, A = 40 pA, 10/20/40 Hz trains with recovery probes, three noisy trials each).

Run: ``.venv/bin/python scripts/make_example_recordings.py [--out docs/example_recordings.csv]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from stpwidget.examples import example_file_recordings
from stpwidget.recordings import write_recordings

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Write the example file (path from --out)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "example_recordings.csv")
    out = parser.parse_args().out
    write_recordings(example_file_recordings(), out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
