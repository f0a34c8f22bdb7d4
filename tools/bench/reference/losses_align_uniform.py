"""Wang & Isola alignment / uniformity forward + backward in PyTorch (one
thread), with the functions of SsnL/align_uniform (align_uniform/__init__.py)
on F.normalize'd features, as @contrastive/loss-align-uniform (normalize on):

  align_loss(x, y, alpha=2) = (x - y).norm(p=2, dim=1).pow(alpha).mean()
  uniform_loss(x, t=2)      = torch.pdist(x, p=2).pow(2).mul(-t).exp().mean().log()
  align-uniform             = align_loss(x, y) + (uniform_loss(x) + uniform_loss(y)) / 2
                              (examples/stl10/main.py, weights 1 and 1)

usage: losses_align_uniform.py {alignment|uniformity|align-uniform} B D
"""
import sys

import torch
import torch.nn.functional as F

from timing import report

kind, B, D = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.manual_seed(0)


def align_loss(x, y, alpha=2):
    return (x - y).norm(p=2, dim=1).pow(alpha).mean()


def uniform_loss(x, t=2):
    return torch.pdist(x, p=2).pow(2).mul(-t).exp().mean().log()


z1 = torch.randn(B, D, requires_grad=True)
z2 = torch.randn(B, D, requires_grad=True)

if kind == "alignment":
    def loss():
        return align_loss(F.normalize(z1, dim=1), F.normalize(z2, dim=1))
elif kind == "uniformity":
    def loss():
        return uniform_loss(F.normalize(z1, dim=1))
elif kind == "align-uniform":
    def loss():
        x, y = F.normalize(z1, dim=1), F.normalize(z2, dim=1)
        return align_loss(x, y) + (uniform_loss(x) + uniform_loss(y)) / 2
else:
    raise SystemExit(f"unknown loss {kind}")


def step():
    z1.grad = None
    z2.grad = None
    loss().backward()


report(step, repeats=21, warmup=3)
