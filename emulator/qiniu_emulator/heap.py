"""Large freed blocks go back to the system at once, so the memory budget bounds the RSS.

glibc raises its mmap threshold each time a large mmapped block is freed (up to 32 MB on
64-bit), after which Pillow's image blocks come from the heap of the thread that decoded
them and stay resident when freed: the process grows past what its ops hold, a few hundred
MB per worker thread, and keeps it. A fixed threshold keeps every block of 1 MB or more
mmapped and unmapped when freed. Elsewhere (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
THRESHOLD = 1024 * 1024


@functools.cache
def return_large_blocks() -> bool:
    """Fix glibc's mmap threshold; False where the C library has no ``mallopt``.

    The setting is the process's, so once is enough: finding the C library runs ``ldconfig``
    in a child process (2 to 20 ms), which every in-process emulator start paid again."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(M_MMAP_THRESHOLD, THRESHOLD))
