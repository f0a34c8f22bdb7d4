"""Two-view augmentation throughput of torchvision's PIL pipelines, one worker,
one thread: the same work as tools/bench/src/cases/augment.ts.

usage: augment.py <preset> <batch> <side>   (preset: simclr-cifar | moco-v2)
"""
import random
import statistics
import sys
import time

import numpy as np
import torch
from PIL import Image, ImageFilter
import torchvision.transforms as T

from timing import report


class MocoGaussianBlur:
    """MoCo v2's blur (moco/loader.py): PIL GaussianBlur, radius ~ U(sigma)."""

    def __init__(self, sigma=(0.1, 2.0)):
        self.sigma = sigma

    def __call__(self, x):
        return x.filter(ImageFilter.GaussianBlur(radius=random.uniform(*self.sigma)))


def pipeline(name):
    if name == "simclr-cifar":
        return T.Compose([
            T.RandomResizedCrop(32),
            T.RandomHorizontalFlip(p=0.5),
            T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
            T.RandomGrayscale(p=0.2),
            T.ToTensor(),
            T.Normalize([0.4914, 0.4822, 0.4465], [0.2023, 0.1994, 0.2010]),
        ])
    if name == "moco-v2":
        return T.Compose([
            T.RandomResizedCrop(224, scale=(0.2, 1.0)),
            T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
            T.RandomGrayscale(p=0.2),
            T.RandomApply([MocoGaussianBlur([0.1, 2.0])], p=0.5),
            T.RandomHorizontalFlip(),
            T.ToTensor(),
            T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
        ])
    raise SystemExit(f"unknown preset {name}")


def main():
    name, batch, side = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    random.seed(0)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    images = [Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8)) for _ in range(batch)]
    transform = pipeline(name)

    cpu = []

    def two_views():
        # What a DataLoader worker plus collate does for a two-view batch.
        start = time.process_time()
        view1 = torch.stack([transform(img) for img in images])
        view2 = torch.stack([transform(img) for img in images])
        cpu.append(time.process_time() - start)
        return view1, view2

    report(two_views, repeats=5)
    # CPU time too: on a shared machine it moves much less than wall time.
    timed = sorted(c * 1000 for c in cpu[1:])
    print(f"  torchvision: CPU ms per run, median {statistics.median(timed):.1f} ({', '.join(f'{c:.0f}' for c in timed)})", file=sys.stderr)


if __name__ == "__main__":
    main()
