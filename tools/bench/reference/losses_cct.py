"""CACR / CCT forward+backward in PyTorch (one thread), mirroring @contrastive/loss-cct
(detached plans, the package default).

usage: losses_cct.py cct B D V            (small-scale form, V views)
       losses_cct.py queue B D V K        (MoCo-style form, V views, queue of K)
"""
import sys

import torch
import torch.nn.functional as F

from timing import report


def off_diagonal(m):
    """[..., n, n] -> [..., n, n - 1] without the diagonal."""
    n = m.shape[-1]
    lead = m.shape[:-2]
    flat = m.reshape(-1, n * n)[:, 1:].reshape(-1, n - 1, n + 1)[:, :, :n]
    return flat.reshape(*lead, n, n - 1)


def transport(cost, scale):
    w = torch.softmax(cost.detach() * scale, -1)
    return (w * cost).sum(-1)


def cct(views, t_pos=1.0, t_neg=0.9, alpha=1.0, beta=1.0):
    z = [F.normalize(v, dim=1) for v in views]
    per_image = torch.stack(z, 1)  # [B, V, d]
    pos = off_diagonal(torch.cdist(per_image, per_image).pow(2))
    attraction = alpha * transport(pos, t_pos).mean()
    pairs = [(x, y) for x in range(len(z)) for y in range(x + 1, len(z))]
    anchors = torch.stack([z[x] for x, _ in pairs])
    others = torch.stack([z[y] for _, y in pairs])
    d = (anchors.pow(2).sum(-1, keepdim=True) + others.pow(2).sum(-1).unsqueeze(-2)
         - 2 * anchors @ others.transpose(1, 2))
    repulsion = -beta * transport(off_diagonal(d), -t_neg).mean()
    return attraction + repulsion


def cct_queue(queries, keys, queue, t_pos=1.0, t_neg=2.0, alpha=1.0, beta=1.0):
    q = torch.stack([F.normalize(x, dim=1) for x in queries])  # [V, B, d]
    k = torch.stack([F.normalize(x, dim=1) for x in keys]).detach()
    n = F.normalize(queue, dim=1).detach()
    v, b, d = q.shape
    qt, kt = q.transpose(0, 1), k.transpose(0, 1)
    pos = off_diagonal(qt.pow(2).sum(-1, keepdim=True) + kt.pow(2).sum(-1).unsqueeze(-2) - 2 * qt @ kt.transpose(1, 2))
    attraction = alpha * transport(pos, t_pos).mean()
    flat = q.reshape(v * b, d)
    queue_cost = 2 - 2 * flat @ n.T  # unit rows, computed per view
    intra = q.pow(2).sum(-1, keepdim=True) + q.pow(2).sum(-1).unsqueeze(-2) - 2 * q @ q.transpose(1, 2)
    intra_cost = off_diagonal(intra).reshape(v * b, b - 1)
    cost = torch.cat([queue_cost, intra_cost], 1)
    repulsion = -beta * transport(cost, -t_neg).mean()
    return attraction + repulsion


def main():
    variant, b, d, v = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.manual_seed(0)
    views = [torch.randn(b, d, requires_grad=True) for _ in range(v)]
    if variant == "cct":
        def step():
            for x in views:
                x.grad = None
            cct(views).backward()

        report(step, repeats=9, warmup=2)
    else:
        k = int(sys.argv[5])
        keys = [torch.randn(b, d) for _ in range(v)]
        queue = F.normalize(torch.randn(k, d), dim=1)

        def step():
            for x in views:
                x.grad = None
            cct_queue(views, keys, queue).backward()

        report(step, repeats=5 if k > 10000 else 9, warmup=1)


main()
