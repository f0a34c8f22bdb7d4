"""EqCo / SiMo forward+backward in PyTorch (one thread), mirroring @contrastive/loss-eqco.

usage: losses_eqco.py eqco B D K      (queue of K negatives)
       losses_eqco.py simo B D K      (in-batch keys, K negatives per query)
"""
import math
import sys

import torch
import torch.nn.functional as F

from timing import report

TAU = 0.2
ALPHA = 256.0


def eqco(q, k, queue):
    q = F.normalize(q, dim=1)
    k = F.normalize(k, dim=1).detach()
    n = F.normalize(queue, dim=1).detach()
    pos = (q * k).sum(1, keepdim=True) / TAU + math.log(n.shape[0] / ALPHA)
    logits = torch.cat([pos, q @ n.T / TAU], 1)
    return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long))


def simo(q, k, num_negatives, perm):
    b = q.shape[0]
    q = F.normalize(q, dim=1)
    k = F.normalize(k, dim=1).detach()
    logits = q @ k.T / TAU
    kk = min(num_negatives, b - 1)
    pos = logits.diagonal().unsqueeze(1) + math.log(kk / ALPHA)
    neg = logits.flatten()[1:].view(b - 1, b + 1)[:, :-1].reshape(b, b - 1)
    if kk < b - 1:
        neg = neg[:, perm[:kk]]
    return F.cross_entropy(torch.cat([pos, neg], 1), torch.zeros(b, dtype=torch.long))


def main():
    variant, b, d, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.manual_seed(0)
    q = torch.randn(b, d, requires_grad=True)
    key = torch.randn(b, d)
    if variant == "eqco":
        queue = F.normalize(torch.randn(k, d), dim=1)

        def step():
            q.grad = None
            eqco(q, key, queue).backward()

        report(step, repeats=5 if k > 10000 else 9, warmup=1)
    else:
        perm = torch.randperm(b - 1)

        def step():
            q.grad = None
            simo(q, key, k, perm).backward()

        report(step, repeats=9, warmup=2)


main()
