"""PyTorch reference for tools/bench/src/cases/train-step.ts (one thread).

usage: train_step.py [INPUTS=256]
One SGD step (forward in train mode, NT-Xent at temperature 0.2, backward,
update) for INPUTS 32x32x3 inputs (128 images in two views) through
conv3x3(3->32, s1) BN ReLU, conv3x3(32->64, s2) BN ReLU, conv3x3(64->128, s2)
BN ReLU, global average pool, dense 128.
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from timing import report

TEMPERATURE = 0.2
inputs = int(sys.argv[1]) if len(sys.argv) > 1 else 256
torch.manual_seed(0)


def block(cin, cout, stride):
    return [nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(cout, eps=1e-5), nn.ReLU()]


model = nn.Sequential(
    *block(3, 32, 1),
    *block(32, 64, 2),
    *block(64, 128, 2),
    nn.AdaptiveAvgPool2d(1),
    nn.Flatten(),
    nn.Linear(128, 128),
)
model.train()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(inputs, 3, 32, 32)
n = inputs // 2
positives = torch.arange(inputs).add(n).remainder(inputs)
eye = torch.eye(inputs, dtype=torch.bool)


def nt_xent(z):
    z = F.normalize(z, dim=1)
    logits = (z @ z.t()) / TEMPERATURE
    logits = logits.masked_fill(eye, -1e9)
    return F.cross_entropy(logits, positives)


def step():
    optimizer.zero_grad(set_to_none=True)
    loss = nt_xent(model(x))
    loss.backward()
    optimizer.step()
    loss.item()


report(step, repeats=5)
