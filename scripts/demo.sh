#!/usr/bin/env bash
# The main job on the built-in synthetic dataset (no data of your own needed).
# Usage: scripts/demo.sh [reid binary] [output folder]
set -euo pipefail
bin="${1:-.build/release/reid}"
out="${2:-out/demo}"
mkdir -p "$out"
echo "== 1/2 writing the synthetic dataset to $out/data"
"$bin" synth --out "$out/data" --ids 100 --cameras 4 --seed 0
echo "== 2/2 extracting features with OSNet x0.25 (untrained) on query and gallery"
"$bin" extract --model osnet_x0_25 --dataset "$out/data" --out "$out/features.safetensors"
echo
echo "Demo finished. Features: $out/features.safetensors; images: $out/data"
