"""Command line: ``python -m stpwidget page OUT.html [--preset NAME] [--controls U,rate]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from stpwidget.params import PRESETS


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad arguments)."""
    parser = argparse.ArgumentParser(prog="python -m stpwidget", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    page = commands.add_parser(
        "page", help="write the explorer as one self-contained HTML page (no install to open)"
    )
    page.add_argument("out", help="the .html file to write")
    page.add_argument("--preset", default="depressing", choices=tuple(PRESETS))
    page.add_argument(
        "--controls", default=None, help="comma-separated controls to offer, e.g. U,rate"
    )
    page.add_argument(
        "--panels", default="state,current,frequency", help="comma-separated panels to show"
    )
    page.add_argument("--scale", type=float, default=1.0, help="presentation scale (1 to 2)")
    args = parser.parse_args(argv)
    from stpwidget.page.page import preset_state, save_page

    controls = None if args.controls is None else [c for c in args.controls.split(",") if c]
    try:
        path = save_page(
            preset_state(args.preset),
            args.out,
            controls,
            panels=[p for p in args.panels.split(",") if p],
            scale=args.scale,
        )
    except (ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
