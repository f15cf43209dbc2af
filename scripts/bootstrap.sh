#!/usr/bin/env bash
# Installs what SwiftReID needs on Debian 12, and only what is missing (safe to run again).
#   scripts/bootstrap.sh          build and test dependencies (libtorch, oneDNN headers, OpenCV, faiss, ONNX, SQLite,
#                                 vtest.avi, chromium for the web page test, wrk for `make fuzz`), and the
#                                 ImageNet MobileNetV2 weights as weights/mobilenetv2_imagenet.pt
#   scripts/bootstrap.sh --bench  also the peers that `make bench` measures against
#                                 (Debian's python3-torch, and onnxruntime in bench/.venv;
#                                 the newest PyTorch from PyPI in bench/.venv-torch)
set -euo pipefail

# opencv-doc ships vtest.avi, the real pedestrian video the tracklet tests run on.
# libideep-dev (with libdnnl-dev) is the oneDNN wrapper libtorch is built on; CTorch's fused
# inference ops (mkldnn_fusion.cpp) use its headers.
# chromium runs the web page test (it skips without it); wrk loads the service in `make fuzz`.
packages=(libtorch-dev libopencv-dev libfaiss-dev libonnx-dev libideep-dev libopenblas-dev opencv-doc libsqlite3-dev
          chromium wrk)
bench=0
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1; packages+=(python3-torch python3-torchvision python3-pil python3-numpy python3-venv python3-pip python3-opencv) ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "bootstrap.sh: unknown option '$arg' (use --bench or nothing)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "bootstrap: system packages present"
fi

command -v swift >/dev/null || { echo "bootstrap: swift is not on PATH; install the Swift 6 toolchain first" >&2; exit 1; }

# The ImageNet MobileNetV2 weights the demo starts from (weights/mobilenetv2_imagenet.pt);
# only warns when offline.
"$(dirname "$0")/fetch-imagenet-weights.sh"

if [ "$bench" -eq 1 ]; then
  here="$(cd "$(dirname "$0")/.." && pwd)"
  venv="$here/bench/.venv"
  # System site packages give the venv Debian's torch and numpy; pip adds onnxruntime.
  if [ ! -x "$venv/bin/python" ]; then
    /usr/bin/python3 -m venv --system-site-packages "$venv"
  fi
  if ! "$venv/bin/python" -c "import onnxruntime, safetensors, sklearn" 2>/dev/null; then
    echo "bootstrap: installing onnxruntime, safetensors and scikit-learn into bench/.venv"
    # numpy < 2: Debian's python3-torch 1.13 is built against numpy 1.x.
    "$venv/bin/pip" install -q --disable-pip-version-check "numpy<2" onnxruntime safetensors \
      "scikit-learn<1.6" "scipy<1.14"
  fi
  # The newest PyTorch from PyPI, apart (its numpy and Debian's torch 1.13 do not mix): the
  # training-step peer in fp32 and bf16 autocast (bench/foundation.py). PyPI's wheel carries
  # CUDA libraries (about 5 GB); the bench runs it on the CPU.
  torch_venv="$here/bench/.venv-torch"
  if [ ! -x "$torch_venv/bin/python" ] || ! "$torch_venv/bin/python" -c "import torch" 2>/dev/null; then
    echo "bootstrap: installing the newest PyTorch from PyPI into bench/.venv-torch"
    /usr/bin/python3 -m venv "$torch_venv"
    "$torch_venv/bin/pip" install -q --disable-pip-version-check torch numpy
  fi
fi
