"""PyTorch reference timings for @contrastive/loss-infonce (forward + backward).

usage: losses_infonce.py {nt-xent|dcl|info-nce} B D K
Written the way the official code computes each loss (SimCLR objective.py
semantics with the paper's mean reduction; MoCo builder.py logits with the
positive in column 0 and a detached queue).
"""
import sys

import torch
import torch.nn.functional as F

from timing import report

kind, B, D, K = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.manual_seed(0)


def nt_xent(z1, z2, tau=0.1, decoupled=False):
    u = F.normalize(torch.cat([z1, z2]), dim=1)
    n = u.shape[0]
    logits = u @ u.t() / tau
    mask = torch.eye(n, dtype=torch.bool)
    idx = torch.arange(n)
    pos_col = (idx + n // 2) % n
    if decoupled:
        mask = mask.clone()
        mask[idx, pos_col] = True
        pos = logits[idx, pos_col]
        return (torch.logsumexp(logits.masked_fill(mask, -1e9), dim=1) - pos).mean()
    logits = logits.masked_fill(mask, -1e9)
    return F.cross_entropy(logits, pos_col)


if kind in ("nt-xent", "dcl"):
    z1 = torch.randn(B, D, requires_grad=True)
    z2 = torch.randn(B, D, requires_grad=True)

    def step():
        z1.grad = None
        z2.grad = None
        nt_xent(z1, z2, decoupled=(kind == "dcl")).backward()

elif kind == "info-nce":
    q = torch.randn(B, D, requires_grad=True)
    k = F.normalize(torch.randn(B, D), dim=1)
    queue = F.normalize(torch.randn(D, K), dim=0)  # MoCo stores the queue as [dim, K]

    def step():
        q.grad = None
        qn = F.normalize(q, dim=1)
        l_pos = torch.einsum("nc,nc->n", qn, k).unsqueeze(-1)
        l_neg = torch.einsum("nc,ck->nk", qn, queue.clone().detach())
        logits = torch.cat([l_pos, l_neg], dim=1) / 0.2
        labels = torch.zeros(B, dtype=torch.long)
        F.cross_entropy(logits, labels).backward()

else:
    raise SystemExit(f"unknown loss {kind}")

report(step, repeats=11 if K <= 10000 else 7, warmup=2)
