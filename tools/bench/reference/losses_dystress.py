"""DySTreSS forward+backward in PyTorch (one thread), mirroring @contrastive/loss-dystress.

usage: losses_dystress.py ntxent|dcl B D
"""
import math
import sys

import torch
import torch.nn.functional as F

from timing import report


def temperature(s, tau_min=0.07, tau_max=0.2):
    return tau_min + 0.5 * (tau_max - tau_min) * (1 + torch.cos(math.pi * (1 + s)))


def off_diagonal(m):
    n = m.shape[0]
    return m.flatten()[1:].view(n - 1, n + 1)[:, :-1].reshape(n, n - 1)


def ntxent(z1, z2):
    b = z1.shape[0]
    u = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = u @ u.T
    logits = off_diagonal(sim / temperature(sim.detach()))
    pos_s = (u * torch.cat([u[b:], u[:b]])).sum(1)
    pos = pos_s / temperature(pos_s.detach())
    return (torch.logsumexp(logits, 1) - pos).mean()


def dcl(z1, z2):
    def one(a, b):
        pos_s = (a * b).sum(1)
        pos = pos_s / temperature(pos_s.detach())
        s_aa = a @ a.T
        s_ab = a @ b.T
        intra = off_diagonal(s_aa / temperature(s_aa.detach()))
        cross = off_diagonal(s_ab / temperature(s_ab.detach()))
        return (torch.logsumexp(intra, 1) + torch.logsumexp(cross, 1) - pos).mean()

    u1 = F.normalize(z1, dim=1)
    u2 = F.normalize(z2, dim=1)
    return 0.5 * (one(u1, u2) + one(u2, u1))


def main():
    variant, b, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.manual_seed(0)
    z1 = torch.randn(b, d, requires_grad=True)
    z2 = torch.randn(b, d, requires_grad=True)
    loss_fn = ntxent if variant == "ntxent" else dcl

    def step():
        z1.grad = None
        z2.grad = None
        loss_fn(z1, z2).backward()

    report(step, repeats=9, warmup=2)


main()
