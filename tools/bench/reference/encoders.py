"""PyTorch reference timing for @contrastive/encoders: one training step.

usage: encoders.py resnet18-cifar B
One step = forward in train mode + 10-class cross-entropy + backward + SGD
(momentum 0.9) update, for torchvision's ResNet-18 with the CIFAR stem
(3x3 stride-1 conv1, no max-pool) on a batch of B 32x32 RGB images, one thread.
"""
import sys

import torch
import torch.nn as nn
import torchvision

from timing import report

kind, B = sys.argv[1], int(sys.argv[2])
assert kind == "resnet18-cifar", kind
torch.manual_seed(0)

model = torchvision.models.resnet18(num_classes=10)
model.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
model.maxpool = nn.Identity()
model.train()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
criterion = nn.CrossEntropyLoss()
images = torch.rand(B, 3, 32, 32)
labels = torch.randint(0, 10, (B,))


def step():
    optimizer.zero_grad(set_to_none=True)
    loss = criterion(model(images), labels)
    loss.backward()
    optimizer.step()
    loss.item()


report(step, repeats=3)
