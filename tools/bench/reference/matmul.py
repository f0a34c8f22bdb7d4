"""PyTorch reference for tools/bench/src/cases/matmul.ts (one thread, forward products).

usage: matmul.py NAME   (a product name of matmul.ts)
"""
import sys

import torch

from timing import report

torch.manual_seed(0)
PRODUCTS = {
    "sim-256x128-bT": ((256, 128), (256, 128), False, True),
    "queue-256x128-4096T": ((256, 128), (4096, 128), False, True),
    "dense-dW-aT-256x128": ((256, 128), (256, 128), True, False),
    "batched-8x128x64x128": ((8, 128, 64), (8, 64, 128), False, False),
}
sa, sb, ta, tb = PRODUCTS[sys.argv[1]]
a = torch.randn(*sa)
b = torch.randn(*sb)


def product():
    x = a.transpose(-1, -2) if ta else a
    y = b.transpose(-1, -2) if tb else b
    torch.matmul(x, y)


report(product, repeats=9)
