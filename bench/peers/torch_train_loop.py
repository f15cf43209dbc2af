"""Peer for the training-loop benchmark: the supervised baseline's training loop as a PyTorch user
writes it (Debian's python3-torch and python3-torchvision), loading and augmentation included.

Same work as `reid train --method supervised` with the bench's settings: images from a Market-1501
folder, P x K = 16 x 4 identity batches, Resize(256x128) + flip 0.5 + pad 10 / random crop +
normalise + random erasing 0.5, MobileNetV2 features -> average pool -> BNNeck -> classifier,
label-smoothed CE + batch-hard triplet (0.3) + center loss (0.005, own SGD), Adam 3.5e-4 / 5e-4.
DataLoader with 2 worker processes. Prints one JSON object with images/s over all iterations.
"""
import argparse, glob, json, os, random, re, time
from collections import defaultdict

import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset, Sampler
import torchvision.transforms as T
from torchvision.models import mobilenet_v2


class Market(Dataset):
    def __init__(self, folder, transform):
        self.items = []
        for path in sorted(glob.glob(os.path.join(folder, "*.jpg"))):
            pid, cam = map(int, re.match(r"([-\d]+)_c(\d)", os.path.basename(path)).groups())
            if pid >= 0:
                self.items.append((path, pid))
        ids = sorted({p for _, p in self.items})
        self.label = {p: i for i, p in enumerate(ids)}
        self.transform = transform

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        path, pid = self.items[i]
        return self.transform(Image.open(path).convert("RGB")), self.label[pid]


class PKSampler(Sampler):
    def __init__(self, labels, p, k, seed=0):
        self.by_id = defaultdict(list)
        for i, l in enumerate(labels):
            self.by_id[l].append(i)
        self.p, self.k, self.rng = p, k, random.Random(seed)

    def __iter__(self):
        ids = list(self.by_id)
        self.rng.shuffle(ids)
        for b in range(0, len(ids) - self.p + 1, self.p):
            batch = []
            for pid in ids[b:b + self.p]:
                pool = self.by_id[pid]
                batch += self.rng.sample(pool, self.k) if len(pool) >= self.k else self.rng.choices(pool, k=self.k)
            yield batch

    def __len__(self):
        return len(self.by_id) // self.p


class Baseline(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.backbone = mobilenet_v2().features
        self.bnneck = nn.BatchNorm1d(1280)
        self.bnneck.bias.requires_grad_(False)
        self.classifier = nn.Linear(1280, classes, bias=False)

    def forward(self, x):
        f = F.adaptive_avg_pool2d(self.backbone(x), 1).flatten(1)
        return f, self.classifier(self.bnneck(f))


def triplet(f, y, margin=0.3):
    d = (f.pow(2).sum(1, keepdim=True) + f.pow(2).sum(1) - 2 * f @ f.t()).clamp(min=1e-12).sqrt()
    same = y[:, None] == y[None, :]
    ap = (d * same).max(1).values
    an = d.masked_fill(same, float("inf")).min(1).values
    return F.relu(ap - an + margin).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="bounding_box_train folder")
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    transform = T.Compose([T.Resize((256, 128), interpolation=T.InterpolationMode.BILINEAR), T.RandomHorizontalFlip(0.5),
                           T.Pad(10), T.RandomCrop((256, 128)), T.ToTensor(), T.Normalize(mean, std),
                           T.RandomErasing(p=0.5, value=0)])
    data = Market(a.data, transform)
    classes = len(data.label)
    loader = DataLoader(data, batch_sampler=PKSampler([data.label[p] for _, p in data.items], 16, 4),
                        num_workers=a.workers, persistent_workers=a.workers > 0)
    model = Baseline(classes).train()
    centers = nn.Parameter(torch.randn(classes, 1280))
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=3.5e-4, weight_decay=5e-4)
    center_opt = torch.optim.SGD([centers], lr=0.5)
    done, start = 0, time.perf_counter()
    while done < a.iterations:
        for x, y in loader:
            f, logits = model(x)
            center = (f - centers[y]).pow(2).sum(1).clamp(1e-12, 1e12).sum() / len(y)
            loss = F.cross_entropy(logits, y, label_smoothing=0.1) + triplet(f, y) + 0.005 * center
            opt.zero_grad()
            center_opt.zero_grad()
            loss.backward()
            centers.grad *= 1 / 0.005
            opt.step()
            center_opt.step()
            done += 1
            if done >= a.iterations:
                break
    seconds = time.perf_counter() - start
    print(json.dumps({"iterations": done, "images": done * 64, "seconds": seconds,
                      "images_per_second": done * 64 / seconds, "workers": a.workers, "threads": torch.get_num_threads(),
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
