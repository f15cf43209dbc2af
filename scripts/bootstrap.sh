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
  # faiss-cpu for the PPLR Jaccard peer (bench/peers/pplr_jaccard.py), whose neighbour search is
  # PPLR's CPU option (IndexFlatL2). faiss-cpu 1.15 needs numpy >= 1.25, so pip puts numpy 1.26
  # into the venv in front of Debian's 1.24 (still < 2 for Debian's torch 1.13).
  faiss_version=1.15.1
  if ! "$venv/bin/python" -c "import sys, faiss; sys.exit(faiss.__version__ != '$faiss_version')" 2>/dev/null; then
    echo "bootstrap: installing faiss-cpu $faiss_version into bench/.venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "faiss-cpu==$faiss_version" "numpy<2"
  fi
  # fast-reid's Cython CMC/mAP/mINP for the evaluation peer (bench/peers/fastreid_eval.py):
  # rank_cy.pyx from the fastreid wheel, downloaded without its dependencies (it pins torch
  # 1.13.1, tensorboard, ...), compiled against the venv's numpy into bench/.venv/peers/fastreid,
  # where the peer loads it by path. A failed build only warns: the peer then says it fell back.
  fastreid_version=1.4.0
  cy_dir="$venv/peers/fastreid"
  if ! "$venv/bin/python" -c "import sys; sys.path.insert(0, '$here/bench/peers'); import fastreid_eval as f
sys.exit(f.load_rank_cy()[1] != '$fastreid_version')" 2>/dev/null; then
    echo "bootstrap: building fast-reid $fastreid_version's Cython evaluation (rank_cy.pyx) into bench/.venv/peers/fastreid"
    if ! command -v cc >/dev/null || [ ! -f "$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h" ]; then
      sudo_cmd=""
      [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
      { $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq --no-install-recommends gcc python3-dev >/dev/null; } || true
    fi
    cy_build="$(mktemp -d)"
    if { "$venv/bin/pip" install -q --disable-pip-version-check "cython==3.3.2" &&
         "$venv/bin/pip" download -q --disable-pip-version-check --no-deps "fastreid==$fastreid_version" -d "$cy_build" &&
         "$venv/bin/python" -m zipfile -e "$cy_build/fastreid-$fastreid_version-py3-none-any.whl" "$cy_build/wheel" &&
         mkdir -p "$cy_dir" && rm -rf "$cy_dir"/rank_cy* "$cy_dir/VERSION" &&
         cp "$cy_build/wheel/fastreid/evaluation/rank_cylib/rank_cy.pyx" "$cy_dir/" &&
         (cd "$cy_dir" && "$venv/bin/python" -c "import numpy; from setuptools import setup, Extension
from Cython.Build import cythonize
ext = Extension('rank_cy', ['rank_cy.pyx'], include_dirs=[numpy.get_include()])
setup(script_args=['-q', 'build_ext', '--inplace'], ext_modules=cythonize([ext], language_level=3, quiet=True))" &&
          rm -rf build) &&
         echo "$fastreid_version" > "$cy_dir/VERSION"; } >"$cy_build/log" 2>&1; then
      :
    else
      tail -n 20 "$cy_build/log" >&2
      echo "bootstrap: warning: fast-reid's rank_cy did not build; bench/peers/fastreid_eval.py falls back to the numpy reference" >&2
    fi
    rm -rf "$cy_build"
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
