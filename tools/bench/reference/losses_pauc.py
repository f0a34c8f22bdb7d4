"""PAUC forward + backward in PyTorch (one thread), following the project's
reconstruction (spec/losses.md §3(c); no official code is public) on top of
ProtoNCE as salesforce/PCL computes it, with the duplicate-prototype fix of
spec §2(e)1 (each distinct assigned prototype one column), as
@contrastive/loss-pauc's default:

  L = ProtoNCE + 1 * mean_m mean_i ||v_i - c_s(i)||^2                (Wang-Isola align_loss)
             + 1 * mean_m log mean_{i<j} exp(-2 ||p_i - p_j||^2)    (uniform_loss on p = softmax(v C^T / phi))
             + 0.01 * mean_m BarlowTwins(p1[:, ids], p2[:, ids])    (columns of the batch's prototypes)

Gradient reaches both online views (query, query2).

usage: losses_pauc.py B D K k1,k2,... r
"""
import random
import sys

import torch
import torch.nn.functional as F

from pcl_inputs import random_clusterings
from timing import report

B, D, K = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
sizes = [int(s) for s in sys.argv[4].split(",")]
R = int(sys.argv[5])
TAU, T, EPS = 0.2, 2.0, 1e-5
W_ALIGN, W_UNIFORM, W_CORR = 1.0, 1.0, 0.01
torch.manual_seed(0)
random.seed(0)

q1_raw = torch.randn(B, D, requires_grad=True)
q2_raw = torch.randn(B, D, requires_grad=True)
k = F.normalize(torch.randn(B, D), dim=1)
queue = F.normalize(torch.randn(D, K), dim=0)
clusterings = random_clusterings(sizes, B, D, TAU)


def align_loss(x, y, alpha=2):
    return (x - y).norm(p=2, dim=1).pow(alpha).mean()


def uniform_loss(x, t=2):
    return torch.pdist(x, p=2).pow(2).mul(-t).exp().mean().log()


def off_diagonal(x):
    n = x.shape[0]
    return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()


def standardize(x):
    return (x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + EPS)


def barlow_twins(z1, z2):
    c = standardize(z1).T @ standardize(z2) / z1.shape[0]
    on_diag = torch.diagonal(c).add(-1).pow(2).sum()
    off_diag = off_diagonal(c).pow(2).sum()
    return on_diag + off_diag / c.shape[0]


def pauc():
    v1 = F.normalize(q1_raw, dim=1)
    v2 = F.normalize(q2_raw, dim=1)
    l_pos = torch.einsum("nc,nc->n", v1, k).unsqueeze(-1)
    l_neg = torch.einsum("nc,ck->nk", v1, queue.clone().detach())
    logits = torch.cat([l_pos, l_neg], dim=1) / TAU
    instance = F.cross_entropy(logits, torch.zeros(B, dtype=torch.long))
    proto, align, uniform, corr = 0, 0, 0, 0
    for pos_proto_id, prototypes, density in clusterings:
        ids, target = torch.unique(pos_proto_id, return_inverse=True)
        neg_proto_id = set(range(prototypes.shape[0])) - set(pos_proto_id.tolist())
        neg_proto_id = torch.LongTensor(random.sample(list(neg_proto_id), R))
        columns = torch.cat([ids, neg_proto_id])
        logits_proto = torch.mm(v1, prototypes[columns].t()) / density[columns]
        proto = proto + F.cross_entropy(logits_proto, target)
        align = align + align_loss(v1, prototypes[pos_proto_id].detach())
        scaled = (prototypes / density.unsqueeze(1)).detach()
        p1 = torch.softmax(v1 @ scaled.t(), dim=1)
        p2 = torch.softmax(v2 @ scaled.t(), dim=1)
        uniform = uniform + uniform_loss(p1, T)
        corr = corr + barlow_twins(p1[:, ids], p2[:, ids])
    m = len(clusterings)
    return instance + (proto + W_ALIGN * align + W_UNIFORM * uniform + W_CORR * corr) / m


def step():
    q1_raw.grad = None
    q2_raw.grad = None
    pauc().backward()


report(step, repeats=5 if K > 10000 else 9, warmup=2)
