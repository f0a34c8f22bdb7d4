"""ProtoNCE (PCL) forward + backward in PyTorch (one thread), written the way
salesforce/PCL computes it (pcl/builder.py forward, main_pcl.py train loss):

- instance term: MoCo InfoNCE, positive in column 0, queue stored as [dim, K]
  and cloned + detached before the product;
- per clustering m: columns = the positive prototype of every batch row (one
  column per row, target i) then r negatives sampled without replacement from
  the ids no row is assigned to (set difference + random.sample, as builder.py;
  the set goes through list() since Python 3.11 refuses to sample a set), each
  logit column divided by its prototype's concentration, cross-entropy;
- loss = InfoNCE + (1/M) sum_m CE_m. Gradient reaches the query only.

usage: losses_protonce.py B D K k1,k2,... r
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
TAU = 0.2
torch.manual_seed(0)
random.seed(0)

q_raw = torch.randn(B, D, requires_grad=True)
k = F.normalize(torch.randn(B, D), dim=1)
queue = F.normalize(torch.randn(D, K), dim=0)
clusterings = random_clusterings(sizes, B, D, TAU)


def proto_nce():
    q = F.normalize(q_raw, dim=1)
    l_pos = torch.einsum("nc,nc->n", q, k).unsqueeze(-1)
    l_neg = torch.einsum("nc,ck->nk", q, queue.clone().detach())
    logits = torch.cat([l_pos, l_neg], dim=1) / TAU
    loss = F.cross_entropy(logits, torch.zeros(B, dtype=torch.long))
    loss_proto = 0
    for pos_proto_id, prototypes, density in clusterings:
        pos_prototypes = prototypes[pos_proto_id]
        all_proto_id = [i for i in range(prototypes.shape[0])]  # ids 0..k-1 (issue #20 fix)
        neg_proto_id = set(all_proto_id) - set(pos_proto_id.tolist())
        neg_proto_id = random.sample(list(neg_proto_id), R)
        neg_prototypes = prototypes[neg_proto_id]
        proto_selected = torch.cat([pos_prototypes, neg_prototypes], dim=0)
        logits_proto = torch.mm(q, proto_selected.t())
        labels_proto = torch.arange(B)
        temp_proto = density[torch.cat([pos_proto_id, torch.LongTensor(neg_proto_id)], dim=0)]
        logits_proto = logits_proto / temp_proto
        loss_proto = loss_proto + F.cross_entropy(logits_proto, labels_proto)
    return loss + loss_proto / len(clusterings)


def step():
    q_raw.grad = None
    proto_nce().backward()


report(step, repeats=5 if K > 10000 else 9, warmup=2)
