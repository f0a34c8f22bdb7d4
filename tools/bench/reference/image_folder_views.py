"""Reference for tools/bench/src/cases/image-folder-views.ts: torchvision's ImageFolder with two
RandomResizedCrop(224) + ToTensor views per image (the SimCLR/MoCo training input),
DataLoader(batch, shuffle, num_workers=<workers>, persistent workers), one epoch of every
<stride>-th file per run.

image_folder_views.py <batch> <workers> <stride> <root>

Writes the folder when it is not there yet: 2,000 JPEGs of 500x375 (ImageNet's typical size),
quality 90, in 4 classes, each a different crop (55-100 % of the sides, shifted) of one of nine
photographs shipped by Debian's python3-sklearn and python3-skimage, every other pass mirrored.
The TypeScript case writes the same crops with sharp when it runs first.
"""
import os
import sys

import torch
from PIL import Image
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms

from timing import report

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


def main():
    batch, workers, stride, root = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    ensure_folder(root)
    view = transforms.Compose([transforms.RandomResizedCrop(224), transforms.ToTensor()])
    folder = datasets.ImageFolder(root, transform=TwoViews(view))
    dataset = Subset(folder, range(0, len(folder), stride))
    loader = DataLoader(dataset, batch_size=batch, shuffle=True, num_workers=workers, persistent_workers=workers > 0)
    report(lambda: drain(loader), 3)


if __name__ == "__main__":
    main()
