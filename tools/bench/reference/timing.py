"""Shared timing for the PyTorch reference scripts: one thread (or BENCH_TORCH_THREADS), median of runs."""
import json
import os
import statistics
import time

import torch

torch.set_num_threads(int(os.environ.get("BENCH_TORCH_THREADS", "1")))


def report(fn, repeats=5, warmup=1):
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    print(json.dumps({"seconds": statistics.median(runs), "runs": runs}))
