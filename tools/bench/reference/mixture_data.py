"""The Gaussian-mixture rows of src/cases/cluster.ts (mixtureData), generated
from the same counter-based hash so the TypeScript and Python sides see the
same data without exchanging a file. numpy only.
"""
import numpy as np

COMPONENTS = 256
SPREAD = 0.6


def fmix32(h):
    h = h.astype(np.uint32)
    h = (h ^ (h >> np.uint32(16))) * np.uint32(0x85EBCA6B)
    h = (h ^ (h >> np.uint32(13))) * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def normal_at(stream, i):
    base = np.uint32((stream * 0x9E3779B9) % 2**32)
    i = i.astype(np.uint64)
    u1 = (fmix32(((2 * i) % 2**32).astype(np.uint32) + base).astype(np.float64) + 0.5) / 4294967296.0
    u2 = (fmix32(((2 * i + 1) % 2**32).astype(np.uint32) + base).astype(np.float64) + 0.5) / 4294967296.0
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def mixture_data(n, d):
    """n x d float32 rows: component (i mod 256) centre plus 0.6 x standard normal noise."""
    with np.errstate(over="ignore"):
        centres = normal_at(1, np.arange(COMPONENTS * d)).reshape(COMPONENTS, d)
        noise = normal_at(2, np.arange(n * d)).reshape(n, d)
    labels = np.arange(n) % COMPONENTS
    return (centres[labels] + SPREAD * noise).astype(np.float32)
