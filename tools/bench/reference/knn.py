"""Weighted kNN monitor in PyTorch (MoCo CIFAR demo style), one thread.

Usage: knn.py BANK QUERIES D CLASSES. Normalises both sets, then per chunk
of 512 queries: similarities by matmul, top-200, weights exp(s / 0.1),
scatter_add into class scores, top-5 classes.
"""
import sys

import torch
import torch.nn.functional as F

from timing import report

K = 200
T = 0.1
CHUNK = 512


def main():
    bank_n, queries_n, d, classes = (int(a) for a in sys.argv[1:5])
    g = torch.Generator().manual_seed(0)
    bank = torch.randn(bank_n, d, generator=g)
    queries = torch.randn(queries_n, d, generator=g)
    labels = torch.randint(0, classes, (bank_n,), generator=g)

    def run():
        with torch.no_grad():
            b = F.normalize(bank, dim=1).t().contiguous()
            preds = []
            for start in range(0, queries_n, CHUNK):
                q = F.normalize(queries[start:start + CHUNK], dim=1)
                sim = q @ b
                w, idx = sim.topk(K, dim=1)
                w = (w / T).exp()
                scores = torch.zeros(q.shape[0], classes).scatter_add_(1, labels[idx], w)
                preds.append(scores.topk(5, dim=1).indices)
            return torch.cat(preds)

    report(run, repeats=3, warmup=1)


if __name__ == "__main__":
    main()
