#!/usr/bin/env python3
"""Derive the virtual cards' chip photos (券面AP DF27) from the face test set.

Reads  assets/faces/testset/<name>.jpg  (credits: assets/faces/testset/CREDITS.md)
Writes assets/cards/photos/<name>.jp2   200x250 JPEG 2000 (JP2 container), about 4-8 KB, like a real chip photo.

The crop is head-and-shoulders: the head (hair top to chin, located by hand once per source image below, since no
face detector is available to a plain Pillow script) fills half the picture height, centred horizontally.
Re-running gives the same files. Usage: python3 scripts/make-card-photos.py
"""
import io
import os
import sys

from PIL import Image

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SRC = os.path.join(ROOT, "assets", "faces", "testset")
DST = os.path.join(ROOT, "assets", "cards", "photos")
SIZE = (200, 250)
TARGET_BYTES = (4000, 8000)

# name: (head centre x, hair top y, chin y) in source pixels, read off the images by hand.
HEADS = {
    "astronaut": (229, 18, 171),
    "impostor_1": (329, 100, 451),
    "impostor_2": (364, 93, 534),
    "person_a_1": (100, 20, 141),
    "person_a_2": (383, 58, 531),
    "person_b_1": (368, 38, 511),
    "person_b_2": (357, 25, 492),
}


def crop_box(size, head):
    w, h = size
    cx, top, chin = head
    head_h = chin - top
    crop_h = min(2.0 * head_h, h)
    crop_w = crop_h * SIZE[0] / SIZE[1]
    if crop_w > w:  # narrow source: shrink to fit the width
        crop_w = w
        crop_h = crop_w * SIZE[1] / SIZE[0]
    y0 = max(0.0, min(top - 0.25 * head_h, h - crop_h))
    x0 = max(0.0, min(cx - crop_w / 2, w - crop_w))
    return (round(x0), round(y0), round(x0 + crop_w), round(y0 + crop_h))


def encode_jp2(img):
    """Pick the compression rate that lands the file in TARGET_BYTES (aim at the middle)."""
    best = None
    for rate in (10, 14, 18, 22, 26, 30, 36, 44, 52, 64):
        buf = io.BytesIO()
        img.save(buf, "JPEG2000", quality_mode="rates", quality_layers=[rate], irreversible=True, no_jp2=False)
        data = buf.getvalue()
        if TARGET_BYTES[0] <= len(data) <= TARGET_BYTES[1]:
            if best is None or abs(len(data) - 6000) < abs(len(best) - 6000):
                best = data
    if best is None:
        sys.exit("no rate gives a photo within the target size")
    return best


def main():
    os.makedirs(DST, exist_ok=True)
    for name, head in sorted(HEADS.items()):
        src = Image.open(os.path.join(SRC, name + ".jpg")).convert("RGB")
        img = src.crop(crop_box(src.size, head)).resize(SIZE, Image.LANCZOS)
        data = encode_jp2(img)
        assert data.startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n"), "JP2 signature box"
        with open(os.path.join(DST, name + ".jp2"), "wb") as f:
            f.write(data)
        print(f"{name}.jp2  {len(data)} bytes")


if __name__ == "__main__":
    main()
