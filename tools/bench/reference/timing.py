"""Shared timing for the PyTorch reference scripts: one thread, median of runs."""
import json
import statistics
import time

import torch

torch.set_num_threads(1)


def report(fn, repeats=5, warmup=1):
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    print(json.dumps({"seconds": statistics.median(runs), "runs": runs}))
