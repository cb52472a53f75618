"""ipympl's diff image (matplotlib's WebAgg ``get_diff_image``), encoded with :mod:`.png`."""

from __future__ import annotations

from typing import Any

import numpy as np

from stpwidget.render.png import encode_png, runs

DIFF_API = ("_png_is_old", "_last_buff", "_force_full", "set_image_mode", "get_renderer")


def fast_diff_image(canvas: Any) -> bytes | None:
    """Matplotlib's WebAgg ``get_diff_image`` (same full/diff rules), encoded fast.

    ipympl sends this PNG on every draw; matplotlib encodes it with Pillow at zlib's
    default level, 20 ms for the explorer's figure here. Installed on the explorer's own
    canvas only, and only where the canvas has the attributes it relies on.
    """
    if not canvas._png_is_old:
        return None
    pixels = np.asarray(canvas.get_renderer().buffer_rgba())
    buff = pixels.view(np.uint32).squeeze(2)
    full = (
        canvas._force_full
        or buff.shape != canvas._last_buff.shape
        or bool((pixels[:, :, 3] != 255).any())  # transparency: cannot overlay a diff
    )
    canvas.set_image_mode("full" if full else "diff")
    if full:
        canvas._last_buff = buff.copy()
        png = encode_png(pixels)
    else:
        # Only rows with a changed pixel are compared, copied and compressed.
        last = canvas._last_buff
        changed = buff != last
        rows = changed.any(axis=1)
        output = np.zeros(buff.shape, dtype=buff.dtype)
        for start, stop in runs(rows):
            np.copyto(output[start:stop], buff[start:stop], where=changed[start:stop])
            last[start:stop] = buff[start:stop]
        png = encode_png(output.view(np.uint8).reshape(*output.shape, 4), rows=rows)
    canvas._force_full = False
    canvas._png_is_old = False
    return png
