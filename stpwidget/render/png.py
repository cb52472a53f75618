"""A fast PNG encoder: zlib in threads, and sparse images (a diff) encoded by their rows."""

from __future__ import annotations

import functools
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _deflate(data: memoryview, last: bool) -> bytes:
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)  # raw deflate, fastest level
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


@functools.cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="stpwidget-png")


def encode_png(rgba: np.ndarray, parts: int = 2, rows: np.ndarray | None = None) -> bytes:
    """Encode an RGBA canvas of shape (h, w, 4) as a PNG, fast.

    It favours speed: no row filters, zlib level 1, and the rows compressed in ``parts``
    slices on threads (zlib releases the GIL). Each slice but the last ends in a sync flush,
    so the slices join into one valid deflate stream. Measured here: 3.4 ms for
    920 x 560 px, against 12 ms for Pillow at its fastest level.

    ``rows``, a boolean per row, marks the rows that may hold anything but zeros (a diff
    image): the others are not compressed at all but taken, compressed, from a cache of
    zero runs (zlib needs ~14 ms for 8 MB of zeros).
    """
    height, width, _ = rgba.shape
    if rows is not None:
        return _encode_sparse(rgba, rows)
    data = np.empty((height, 1 + 4 * width), dtype=np.uint8)
    data[:, 0] = 0  # filter type "None" for every row
    data[:, 1:] = rgba.reshape(height, -1)
    raw = memoryview(data.data).cast("B")
    cuts = [round(height * k / parts) * data.shape[1] for k in range(parts + 1)]
    slices = [raw[cuts[k] : cuts[k + 1]] for k in range(parts)]
    if parts == 1:
        body = _deflate(slices[0], last=True)
        checksum = zlib.adler32(raw)
    else:
        futures = [_pool().submit(_deflate, sl, k == parts - 1) for k, sl in enumerate(slices)]
        checksum = zlib.adler32(raw)  # meanwhile, here (zlib releases the GIL)
        body = b"".join(f.result() for f in futures)
    return _png(width, height, body, checksum)


def _png(width: int, height: int, body: bytes, checksum: int) -> bytes:
    data = b"\x78\x01" + body + struct.pack(">I", checksum)  # the zlib wrapper
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


_ZEROS: dict[int, bytes] = {}


def _zeros(n: int) -> bytes:
    """``n`` zero bytes, deflated and sync-flushed (cached: the same runs come back)."""
    chunk = _ZEROS.get(n)
    if chunk is None:
        if len(_ZEROS) >= 512:
            _ZEROS.clear()
        chunk = _ZEROS[n] = _deflate(memoryview(bytes(n)), last=False)
    return chunk


def _adler_zeros(adler: int, n: int) -> int:
    """Adler-32 of some data followed by ``n`` zero bytes, from the data's Adler-32."""
    a, b = adler & 0xFFFF, adler >> 16
    return a | (((b + n * a) % 65521) << 16)


def runs(rows: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of every run of True in a boolean array."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], rows.astype(np.int8), [0]]))).tolist()
    return list(zip(edges[::2], edges[1::2], strict=True))


def _encode_sparse(rgba: np.ndarray, rows: np.ndarray) -> bytes:
    height, width, _ = rgba.shape
    size = 1 + 4 * width
    pieces: list[Any] = []
    checksum, at = 1, 0
    for start, stop in runs(rows):
        if start > at:
            pieces.append(_zeros((start - at) * size))
            checksum = _adler_zeros(checksum, (start - at) * size)
        data = np.zeros((stop - start, size), dtype=np.uint8)
        data[:, 1:] = rgba[start:stop].reshape(stop - start, -1)
        raw = memoryview(data.data).cast("B")
        pieces.append(_pool().submit(_deflate, raw, False))
        checksum = zlib.adler32(raw, checksum)
        at = stop
    if at < height:
        pieces.append(_zeros((height - at) * size))
        checksum = _adler_zeros(checksum, (height - at) * size)
    body = b"".join(p if isinstance(p, bytes) else p.result() for p in pieces)
    return _png(width, height, body + b"\x03\x00", checksum)  # + an empty final block


#: What :func:`fast_diff_image` needs of matplotlib's WebAgg canvas (ipympl's base).
