"""PyTorch reference for tools/bench/src/cases/kernels.ts (one thread).

usage: kernels.py LAYER OP
LAYER 1..3 is a conv of the train-step network at 256 inputs
(1: 32x32, 3->32, s1; 2: 32x32, 32->64, s2; 3: 16x16, 64->128, s2);
OP is forward | input (gradient w.r.t. the input) | filter (w.r.t. the weight).
"""
import sys

import torch
import torch.nn.functional as F
from torch.nn.grad import conv2d_input, conv2d_weight

from timing import report

LAYERS = {1: (32, 3, 32, 1), 2: (32, 32, 64, 2), 3: (16, 64, 128, 2)}
layer, op = int(sys.argv[1]), sys.argv[2]
size, cin, cout, stride = LAYERS[layer]
torch.manual_seed(0)
x = torch.randn(256, cin, size, size)
w = torch.randn(cout, cin, 3, 3)
y = F.conv2d(x, w, stride=stride, padding=1)
dy = torch.randn_like(y)


def forward():
    F.conv2d(x, w, stride=stride, padding=1)


def grad_input():
    conv2d_input(x.shape, w, dy, stride=stride, padding=1)


def grad_filter():
    conv2d_weight(x, w.shape, dy, stride=stride, padding=1)


report({"forward": forward, "input": grad_input, "filter": grad_filter}[op], repeats=5)
