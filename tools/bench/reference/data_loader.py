"""Loader throughput references for tools/bench/src/cases/data-loader.ts.

memory <batch> <steps> <n> <h> <w> <c>: a Dataset doing what torchvision's FashionMNIST and
CIFAR10 __getitem__ do (n in-memory uint8 HxWxC images -> PIL image -> ToTensor),
DataLoader(shuffle, num_workers=0), `steps` batches per run. The pixels are random bytes
(the work does not depend on them).

folder <batch> <root>: torchvision.datasets.ImageFolder with Resize(224), CenterCrop(224),
ToTensor, DataLoader(shuffle, num_workers=0), one epoch per run. Writes the 200 JPEGs
(same pixel content as the TypeScript case, quality 90) when the folder is not there yet.
"""
import os
import sys

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import datasets, transforms

from timing import report

IMAGES, CLASSES, SIDE = 200, 10, 256


def ensure_folder(root):
    if os.path.exists(os.path.join(root, "complete")):
        return
    y, x = np.mgrid[0:SIDE, 0:SIDE]
    for i in range(IMAGES):
        d = os.path.join(root, "class_%d" % (i % CLASSES))
        os.makedirs(d, exist_ok=True)
        img = np.stack([(x * (c + 1) + y * (3 - c) + 37 * i) % 256 for c in range(3)], axis=-1)
        Image.fromarray(img.astype(np.uint8)).save(os.path.join(d, "img_%04d.jpg" % i), quality=90)
    with open(os.path.join(root, "complete"), "w") as f:
        f.write("generated\n")


class InMemory(Dataset):
    def __init__(self, n, h, w, c):
        rng = np.random.default_rng(0)
        shape = (n, h, w) if c == 1 else (n, h, w, c)
        self.data = rng.integers(0, 256, shape, dtype=np.uint8)
        self.targets = [i % 10 for i in range(n)]
        self.mode = "L" if c == 1 else "RGB"
        self.transform = transforms.ToTensor()

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        img = Image.fromarray(self.data[index], mode=self.mode)
        return self.transform(img), self.targets[index]


def drain(loader, steps):
    for k, (images, labels) in enumerate(loader):
        if k + 1 >= steps:
            break


def main():
    mode, batch = sys.argv[1], int(sys.argv[2])
    if mode == "memory":
        steps, n, h, w, c = (int(a) for a in sys.argv[3:8])
        loader = DataLoader(InMemory(n, h, w, c), batch_size=batch, shuffle=True, num_workers=0)
        report(lambda: drain(loader, steps), 5)
    elif mode == "folder":
        root = sys.argv[3]
        ensure_folder(root)
        tf = transforms.Compose([transforms.Resize(224), transforms.CenterCrop(224), transforms.ToTensor()])
        loader = DataLoader(datasets.ImageFolder(root, transform=tf), batch_size=batch, shuffle=True, num_workers=0)
        report(lambda: drain(loader, float("inf")), 3)
    else:
        raise SystemExit("usage: data_loader.py memory|folder ...")


if __name__ == "__main__":
    main()
