#!/usr/bin/env bash
# The main job on the built-in synthetic dataset, no data of your own needed: write a multi-camera
# dataset, adapt ImageNet MobileNetV2 to it with PPLR WITHOUT identity labels (pseudo-labels from
# clustering, redone every epoch), evaluate the last epoch, and point at the reports.
# Usage: scripts/demo.sh [reid binary] [output folder]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$here/.build/release/reid}"
out="${2:-out/demo}"
mkdir -p "$out"
started=$(date +%s)

# ImageNet MobileNetV2: fetched by scripts/bootstrap.sh; the shared copy serves as well.
weights="$here/weights/mobilenetv2_imagenet.pt"
if [ ! -f "$weights" ]; then
  "$here/scripts/fetch-imagenet-weights.sh" || true
fi
if [ ! -f "$weights" ]; then
  shared="${REID_SHARED:-$here/../shared}/weights/mobilenetv2_imagenet.safetensors"
  if [ -f "$shared" ]; then
    weights="$shared"
  else
    echo "demo: no ImageNet MobileNetV2 weights: $here/weights/mobilenetv2_imagenet.pt is missing and could not" >&2
    echo "      be downloaded. Run scripts/fetch-imagenet-weights.sh when online (or set REID_SHARED to a folder" >&2
    echo "      with weights/mobilenetv2_imagenet.safetensors), then make demo again." >&2
    exit 1
  fi
fi

echo "== 1/3 synthetic multi-camera dataset (60 training people, 4 cameras) → $out/data"
"$bin" synth --out "$out/data" --ids 120 --cameras 4 --seed 0
echo
echo "== 2/3 unsupervised PPLR from ImageNet MobileNetV2 (global + 3 part features), labels unused:"
echo "       every epoch the training images are clustered (camera-normalised, camera-aware Jaccard + DBSCAN)"
echo "       into pseudo-identities, and the model trains on them. mAP on the unseen test people is"
echo "       printed before training and after every epoch; ARI says how well the clusters match the hidden ids."
rm -rf "$out/run"
"$bin" train --data "$out/data" --config "$here/configs/demo.yaml" --init "$weights" --out "$out/run" \
  2>&1 | tee "$out/train.log"
echo
echo "== 3/3 the trained model (its last epoch; nothing is chosen on the test set), with ranked lists"
"$bin" evaluate --data "$out/data" --run "$out/run" --checkpoint last --report "$out/eval" --ranked random
echo
echo "Curve (plain cosine, unseen test people):"
grep -E '^(before training|epoch [0-9]+): (Rank-1|clusters)' "$out/train.log" | sed 's/^/  /'
awk '/^before training: Rank-1/ { start = $NF } /^epoch [0-9]+: Rank-1/ { end = $NF; r1 = $4 }
     END { gsub("%", "", start); gsub("%", "", end)
           if (start > 0) printf "mAP %.1f %% before training -> %.1f %% after the last epoch (%.1fx), Rank-1 %s\n", start, end, end / start, r1 }' \
  "$out/train.log"
echo "Demo finished in $(( $(date +%s) - started )) s."
echo "  training report:   $out/run/report.html   (mAP per epoch, clusters, ARI/NMI against the hidden ids)"
echo "  evaluation report: $out/eval/report.html  (ranked lists of 10 queries sampled over the whole query set: green = the same person)"
