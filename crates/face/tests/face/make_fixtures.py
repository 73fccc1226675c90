#!/usr/bin/env python3
"""Makes the JPEG 2000 "card photo" fixtures of the face tests from assets/faces/testset.

Each portrait is cropped head-and-shoulders around the face box YuNet reports for the source image
(values below, from FaceModels::detect), scaled to 200x250 and encoded as JP2 at about 4 KB, like the
My Number card's 券面AP face photo. Needs Pillow with OpenJPEG (Pillow 13 was used). Outputs are
committed; rerun only when the test set changes:  python3 crates/face/tests/face/make_fixtures.py
Licences of the sources (and so of these derived images) are in assets/faces/testset/CREDITS.md.
"""
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
TESTSET = HERE.parents[3] / "assets" / "faces" / "testset"
OUT = HERE / "fixtures"

# name: YuNet face box (x, y, width, height) in the source image's pixels
FACES = {
    "person_a_1": (66.7, 48.0, 72.7, 103.2),
    "person_a_2": (203.1, 169.6, 314.5, 409.7),
    "person_b_1": (216.4, 152.2, 285.2, 387.4),
    "person_b_2": (207.0, 134.9, 283.9, 394.1),
    "impostor_1": (221.4, 164.4, 241.2, 329.5),
    "impostor_2": (237.7, 187.3, 279.0, 393.1),
    "astronaut": (178.2, 62.4, 90.7, 113.6),
    # no face: a "card" cut from the cat picture, for the card-photo-without-face test
    "chelsea": (150.0, 40.0, 120.0, 150.0),
}
CARD_W, CARD_H = 200, 250
TARGET_BYTES = 4000


def card_crop(img, box):
    x, y, w, h = box
    # The face box spans brow to chin; on an ID photo that is a little over half the height.
    crop_h = h / 0.55
    crop_w = crop_h * CARD_W / CARD_H
    cx, cy = x + w / 2, y + h / 2 - 0.04 * crop_h
    left, top = cx - crop_w / 2, cy - crop_h / 2
    # Pillow pads out-of-image areas with black, like a photo booth's backdrop edge would not;
    # shift the window inside the image where possible instead.
    left = max(0, min(left, img.width - crop_w))
    top = max(0, min(top, img.height - crop_h))
    return img.crop((round(left), round(top), round(left + crop_w), round(top + crop_h)))


def main():
    OUT.mkdir(exist_ok=True)
    for name, box in FACES.items():
        img = Image.open(TESTSET / f"{name}.jpg").convert("RGB")
        card = card_crop(img, box).resize((CARD_W, CARD_H), Image.LANCZOS)
        ratio = CARD_W * CARD_H * 3 / TARGET_BYTES
        path = OUT / f"{name}_card.jp2"
        card.save(path, "JPEG2000", quality_mode="rates", quality_layers=[ratio], irreversible=True)
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
