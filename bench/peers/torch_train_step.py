"""Peer for the training-step benchmark: the same ResNet-50 step in PyTorch (Debian's python3-torch,
the same libtorch 1.13 that SwiftReID links, or the newest PyTorch from PyPI in bench/.venv-torch).
--bf16 runs forward and loss under torch.autocast("cpu", torch.bfloat16), as PyTorch's docs show.

Step: ResNet-50 (last stride 1, as the re-ID baseline) -> global average pool -> BNNeck
(BatchNorm1d) -> Linear(2048, classes, no bias) -> cross-entropy -> backward -> Adam
(lr 3.5e-4, weight decay 5e-4). Batch 32 of 3x256x128 random inputs. Prints one JSON object.
The network is written out here from the published architecture (torchvision is not needed).
"""
import argparse, json, os, time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Bottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride, downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes * 4, 1, stride, bias=False),
                                        nn.BatchNorm2d(planes * 4)) if downsample else None

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (self.downsample(x) if self.downsample is not None else x))


def stage(inplanes, planes, blocks, stride):
    layers = [Bottleneck(inplanes, planes, stride, True)]
    layers += [Bottleneck(planes * 4, planes, 1, False) for _ in range(blocks - 1)]
    return nn.Sequential(*layers)


class Baseline(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = stage(64, 64, 3, 1)
        self.layer2 = stage(256, 128, 4, 2)
        self.layer3 = stage(512, 256, 6, 2)
        self.layer4 = stage(1024, 512, 3, 1)  # last stride 1
        self.bnneck = nn.BatchNorm1d(2048)
        self.bnneck.bias.requires_grad_(False)
        self.classifier = nn.Linear(2048, classes, bias=False)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.classifier(self.bnneck(x.mean((2, 3))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--classes", type=int, default=751)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--channels-last", action="store_true")
    ap.add_argument("--bf16", action="store_true", help="forward and loss under torch.autocast('cpu', torch.bfloat16)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Baseline(a.classes).train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=3.5e-4, weight_decay=5e-4)
    x = torch.randn(a.batch, 3, 256, 128)
    y = torch.randint(0, a.classes, (a.batch,))
    if a.channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    times = []
    for i in range(a.warmup + a.steps):
        t = time.perf_counter()
        opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
            loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        if i >= a.warmup:
            times.append(time.perf_counter() - t)
    seconds = sum(times)
    print(json.dumps({"steps": a.steps, "seconds": seconds, "steps_per_second": a.steps / seconds,
                      "images_per_second": a.steps * a.batch / seconds, "step_seconds": times,
                      "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "channels_last": a.channels_last,
                      "precision": "bf16" if a.bf16 else "fp32"}))


if __name__ == "__main__":
    main()
