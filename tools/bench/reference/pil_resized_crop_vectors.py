"""Writes packages/data/src/__fixtures__/pil-resized-crop.json: Pillow's bytes
for crops of a seeded RGB image resized with BILINEAR, BICUBIC and LANCZOS
(`Image.crop(box).resize(size, filter)`, torchvision's resized_crop on PIL
images). Run once with Pillow installed; the tests read the JSON only.

    /usr/bin/python3 tools/bench/reference/pil_resized_crop_vectors.py
"""
import base64
import json
import os
import random

import PIL
from PIL import Image

rng = random.Random(12)
W, H = 41, 29
pixels = bytes(rng.randrange(256) for _ in range(W * H * 3))
image = Image.frombytes("RGB", (W, H), pixels)
# (top, left, height, width, out_height, out_width): shrink, enlarge, mixed,
# one axis unchanged, both unchanged, the whole image, thin boxes.
cases = [
    (0, 0, 29, 41, 13, 17),
    (3, 5, 20, 30, 9, 11),
    (2, 1, 7, 6, 16, 15),
    (4, 6, 12, 25, 24, 10),
    (1, 2, 13, 17, 13, 8),
    (5, 3, 22, 11, 7, 11),
    (6, 7, 9, 10, 9, 10),
    (0, 40, 29, 1, 5, 3),
    (28, 0, 1, 41, 4, 20),
    (3, 4, 25, 35, 24, 33),
]
filters = {"linear": Image.BILINEAR, "cubic": Image.BICUBIC, "lanczos3": Image.LANCZOS}
out = {
    "source": f"Pillow {PIL.__version__}, tools/bench/reference/pil_resized_crop_vectors.py",
    "width": W,
    "height": H,
    "pixels": base64.b64encode(pixels).decode(),
    "cases": [],
}
for name, f in filters.items():
    for top, left, h, w, oh, ow in cases:
        crop = image.crop((left, top, left + w, top + h)).resize((ow, oh), f)
        out["cases"].append({"filter": name, "box": [top, left, h, w], "size": [oh, ow], "bytes": base64.b64encode(crop.tobytes()).decode()})
path = os.path.join(os.path.dirname(__file__), "..", "..", "..", "packages", "data", "src", "__fixtures__", "pil-resized-crop.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
print(path, len(out["cases"]))
