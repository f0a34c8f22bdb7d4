"""Reference for tools/bench/src/cases/image-folder-views.ts: torchvision's ImageFolder with two
RandomResizedCrop(224) + ToTensor views per image (the SimCLR/MoCo training input),
DataLoader(batch, shuffle, num_workers=<workers>, persistent workers), one epoch of every
<stride>-th file per run.

image_folder_views.py <batch> <workers> <stride> <root> [<repeats>]

Prints {"seconds": median, "runs": [...], "cpu_seconds": [...]}: cpu_seconds is the CPU time
(user + system) of each timed epoch, of this process plus its DataLoader worker processes (read
from /proc/<pid>/stat; Linux), the figure that a loaded machine barely moves.

Writes the folder when it is not there yet: 2,000 JPEGs of 500x375 (ImageNet's typical size),
quality 90, in 4 classes, each a different crop (55-100 % of the sides, shifted) of one of nine
photographs shipped by Debian's python3-sklearn and python3-skimage, every other pass mirrored.
The TypeScript case writes the same crops with sharp when it runs first.
"""
import json
import os
import statistics
import sys
import time

import torch
from PIL import Image
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms

import timing  # noqa: F401  (sets torch's threads from BENCH_TORCH_THREADS)

IMAGES, CLASSES, WIDTH, HEIGHT = 2000, 4, 500, 375
PHOTOS = [
    "/usr/lib/python3/dist-packages/sklearn/datasets/images/china.jpg",
    "/usr/lib/python3/dist-packages/sklearn/datasets/images/flower.jpg",
    "/usr/lib/python3/dist-packages/skimage/data/astronaut.png",
    "/usr/lib/python3/dist-packages/skimage/data/chelsea.png",
    "/usr/lib/python3/dist-packages/skimage/data/coffee.png",
    "/usr/lib/python3/dist-packages/skimage/data/motorcycle_left.png",
    "/usr/lib/python3/dist-packages/skimage/data/rocket.jpg",
    "/usr/lib/python3/dist-packages/skimage/data/hubble_deep_field.jpg",
    "/usr/lib/python3/dist-packages/skimage/data/retina.jpg",
]


def crop_of(i, width, height):
    """Crop (left, top, w, h) and mirror flag of file i; mirrored by the TypeScript case."""
    percent = 55 + (i * 37) % 46
    w, h = width * percent // 100, height * percent // 100
    left, top = (i * 131) % (width - w + 1), (i * 71) % (height - h + 1)
    return left, top, w, h, (i // len(PHOTOS)) % 2 == 1


def ensure_folder(root):
    if os.path.exists(os.path.join(root, "complete")):
        return
    missing = [p for p in PHOTOS if not os.path.exists(p)]
    if missing:
        raise SystemExit("missing photographs %s: apt-get install python3-sklearn python3-skimage" % missing)
    photos = [Image.open(p).convert("RGB") for p in PHOTOS]
    for i in range(IMAGES):
        photo = photos[i % len(PHOTOS)]
        left, top, w, h, mirror = crop_of(i, *photo.size)
        img = photo.crop((left, top, left + w, top + h)).resize((WIDTH, HEIGHT), Image.BILINEAR)
        if mirror:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        d = os.path.join(root, "class_%d" % (i % CLASSES))
        os.makedirs(d, exist_ok=True)
        img.save(os.path.join(d, "img_%04d.jpg" % i), quality=90)
    with open(os.path.join(root, "complete"), "w") as f:
        f.write("written by image_folder_views.py\n")


class TwoViews:
    def __init__(self, transform):
        self.transform = transform

    def __call__(self, img):
        return [self.transform(img), self.transform(img)]


def drain(loader):
    for views, labels in loader:
        pass


def process_cpu_seconds(pid):
    """User + system CPU seconds of process pid so far (/proc/<pid>/stat fields 14 and 15)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(loader):
    """CPU seconds so far of this process and of the loader's (persistent) worker processes."""
    # pylint: disable=protected-access
    workers = loader._iterator._workers if loader._iterator is not None else []
    return time.process_time() + sum(process_cpu_seconds(w.pid) for w in workers)


def main():
    batch, workers, stride, root = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    ensure_folder(root)
    view = transforms.Compose([transforms.RandomResizedCrop(224), transforms.ToTensor()])
    folder = datasets.ImageFolder(root, transform=TwoViews(view))
    dataset = Subset(folder, range(0, len(folder), stride))
    repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    loader = DataLoader(dataset, batch_size=batch, shuffle=True, num_workers=workers, persistent_workers=workers > 0)
    drain(loader)  # warm-up; starts the persistent workers
    runs, cpu = [], []
    for _ in range(repeats):
        cpu0, start = cpu_seconds(loader), time.perf_counter()
        drain(loader)
        runs.append(time.perf_counter() - start)
        cpu.append(cpu_seconds(loader) - cpu0)
    print(json.dumps({"seconds": statistics.median(runs), "runs": runs, "cpu_seconds": cpu}))


if __name__ == "__main__":
    main()
