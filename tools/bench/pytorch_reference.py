#!/usr/bin/python3
"""Same-machine PyTorch reference for DetectorBenchmark (examples/.../bench/DetectorBenchmark.java).

A compact PyTorch implementation of the SAME tiny Conditional DETR the Java benchmark measures, following the
semantics of Atten4Vis/ConditionalDETR (models/conditional_detr.py, transformer.py, attention.py, backbone.py,
matcher.py), written from scratch for this benchmark:

  backbone   torchvision-style ResNet, BasicBlock [1,1,1,1], widths 16/32/64/128, stem 16 (7x7/2 conv, frozen BN,
             ReLU, 3x3/2 max-pool), FrozenBatchNorm2d everywhere, stem + layer1 frozen (requires_grad False)
  neck       input_proj = Conv2d(128, d, 1) on C5; PositionEmbeddingSine(d/2, normalize=True) of the C5 mask
  encoder    2 post-norm layers, nn.MultiheadAttention(d, 4 heads), FFN 128, ReLU, dropout 0, key padding mask
  decoder    2 conditional layers (sa_* projections, out-projection-only attention, cross-attention with content and
             sine-embedded positions concatenated per head, ca_qpos_proj in the first layer only), ref_point_head
             MLP(d,d,2,2), query_scale MLP(d,d,d,2), shared decoder norm, return_intermediate
  heads      shared class_embed Linear(d, 6) and bbox_embed MLP(d,d,4,3) on both stages;
             boxes = sigmoid(delta + [inverse_sigmoid(reference), 0, 0])
  loss       per stage (aux + final): Hungarian matching (focal class cost 2, L1 5, GIoU 2), sigmoid focal loss
             (alpha 0.25, gamma 2, * Q, / num_boxes) weight 2, L1 weight 5, GIoU weight 2
  optimizer  AdamW lr 1e-4 (backbone 1e-5), weight decay 1e-4; gradient clipping at max norm 0.1

Config (the Java TinyDetectorConfig): d 64, 4 heads, 2+2 layers, FFN 128, 50 queries, 6 classes, canvas 128x128,
batch 2, FLOAT. The batch follows BenchBatch: standard-normal pixels, odd images cover the top-left 3H/4 x 7W/8 of the
canvas (the rest padded, mask 1), 3 objects per image.

Simplifications that do not change the cost materially: tensors are batch-first (the reference is sequence-first and
permutes); nested-tensor plumbing is replaced by an images + mask pair; the position encoding is computed inside the
forward (Java computes it on the host: both are negligible); no dropout (p = 0 in both); initialisation is PyTorch's
default except the focal prior bias and zero last box layer.

Matching: the cost matrix is built with torch ops (as the reference matcher) and each image's [Q x n] problem is
solved EXACTLY by our own pure-Python shortest-augmenting-path solver (Hungarian algorithm with potentials,
O(n^2 Q), on the transposed n x Q problem; `--selftest` checks it against brute force), in place of SciPy.

Measurements (after warm-up, medians of N): forward (`model(images, mask)` under no_grad) and the full training step
(zero_grad, forward, matching, loss, backward, clip, AdamW step), with torch.set_num_threads(1) and 2; thread CPU
(time.thread_time), process CPU (time.process_time, the primary figure for PyTorch) and wall (perf_counter); aten op
counts per forward and per step (TorchDispatchMode); peak RSS (VmHWM, reset between configurations). Prints the
same markdown tables as the Java benchmark.

Usage: /usr/bin/python3 tools/bench/pytorch_reference.py [--iterations 20] [--warmup 5] [--batch 2]
       [--canvas 128x128] [--threads 1,2] [--seed 42] [--selftest]
(Debian's python3-torch 1.13; a pyenv python3 without torch will not do.)
"""
import argparse
import itertools
import math
import os
import random
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

D, HEADS, ENC, DEC, FFN, QUERIES, CLASSES = 64, 4, 2, 2, 128, 50, 6
OBJECTS = 3


# ------------------------------------------------------------------------------------------------------ backbone
class FrozenBatchNorm2d(nn.Module):
    """BatchNorm with fixed statistics and affine parameters (buffers): x * scale + shift."""

    def __init__(self, n):
        super().__init__()
        for name, value in (("weight", 1.0), ("bias", 0.0), ("running_mean", 0.0), ("running_var", 1.0)):
            self.register_buffer(name, torch.full((n,), value))

    def forward(self, x):
        scale = self.weight * (self.running_var + 1e-5).rsqrt()
        shift = self.bias - self.running_mean * scale
        return x * scale.reshape(1, -1, 1, 1) + shift.reshape(1, -1, 1, 1)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = FrozenBatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = FrozenBatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), FrozenBatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class TinyResNet(nn.Module):
    """BasicBlock [1,1,1,1], widths 16..128, stem 16; returns C5 [B,128,H/32,W/32]."""

    def __init__(self, widths=(16, 32, 64, 128), stem=16):
        super().__init__()
        self.conv1 = nn.Conv2d(3, stem, 7, 2, 3, bias=False)
        self.bn1 = FrozenBatchNorm2d(stem)
        layers, cin = [], stem
        for i, w in enumerate(widths):
            layers.append(BasicBlock(cin, w, 1 if i == 0 else 2))
            cin = w
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        for p in itertools.chain(self.conv1.parameters(), self.layer1.parameters()):
            p.requires_grad_(False)                      # DETR: stem and layer1 are not trained

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))


def position_sine(mask, num_feats, temperature=10000):
    """DETR PositionEmbeddingSine(normalize=True): mask [B,H,W] bool (True = padding) -> [B, 2*num_feats, H, W]."""
    not_mask = ~mask
    y = not_mask.cumsum(1, dtype=torch.float32)
    x = not_mask.cumsum(2, dtype=torch.float32)
    eps, scale = 1e-6, 2 * math.pi
    y = y / (y[:, -1:, :] + eps) * scale
    x = x / (x[:, :, -1:] + eps) * scale
    dim_t = torch.arange(num_feats, dtype=torch.float32)
    dim_t = temperature ** (2 * torch.div(dim_t, 2, rounding_mode="floor") / num_feats)
    px, py = x[..., None] / dim_t, y[..., None] / dim_t
    px = torch.stack((px[..., 0::2].sin(), px[..., 1::2].cos()), dim=4).flatten(3)
    py = torch.stack((py[..., 0::2].sin(), py[..., 1::2].cos()), dim=4).flatten(3)
    return torch.cat((py, px), dim=3).permute(0, 3, 1, 2)


def sine_embed(points, d):
    """Conditional DETR gen_sineembed_for_position with d/2 frequencies per coordinate: [B,Q,2] (x,y) -> [B,Q,d]."""
    n = d // 2
    dim_t = torch.arange(n, dtype=torch.float32)
    dim_t = 10000 ** (2 * torch.div(dim_t, 2, rounding_mode="floor") / n)
    px = points[..., 0:1] * (2 * math.pi) / dim_t
    py = points[..., 1:2] * (2 * math.pi) / dim_t
    px = torch.stack((px[..., 0::2].sin(), px[..., 1::2].cos()), dim=-1).flatten(-2)
    py = torch.stack((py[..., 0::2].sin(), py[..., 1::2].cos()), dim=-1).flatten(-2)
    return torch.cat((py, px), dim=-1)


# --------------------------------------------------------------------------------------------------- transformer
class MLP(nn.Module):
    def __init__(self, cin, hidden, cout, layers):
        super().__init__()
        dims = [cin] + [hidden] * (layers - 1) + [cout]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x) if i == len(self.layers) - 1 else F.relu(layer(x))
        return x


def attend(q, k, v, heads, key_padding_mask=None):
    """Scaled dot-product attention on projected inputs [B,L,h*dqk], [B,S,h*dqk], [B,S,h*dv] -> [B,L,h*dv]."""
    b, lq, _ = q.shape
    s = k.shape[1]
    q = q.reshape(b, lq, heads, -1).transpose(1, 2)
    q = q * (q.shape[-1] ** -0.5)
    k = k.reshape(b, s, heads, -1).transpose(1, 2)
    v = v.reshape(b, s, heads, -1).transpose(1, 2)
    scores = q @ k.transpose(-1, -2)
    if key_padding_mask is not None:
        scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
    return (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, lq, -1)


class EncoderLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(D, HEADS, dropout=0.0, batch_first=True)
        self.linear1, self.linear2 = nn.Linear(D, FFN), nn.Linear(FFN, D)
        self.norm1, self.norm2 = nn.LayerNorm(D), nn.LayerNorm(D)

    def forward(self, src, pos, mask):
        qk = src + pos
        src = self.norm1(src + self.self_attn(qk, qk, src, key_padding_mask=mask, need_weights=False)[0])
        return self.norm2(src + self.linear2(F.relu(self.linear1(src))))


class ConditionalDecoderLayer(nn.Module):
    def __init__(self, first):
        super().__init__()
        lin = lambda: nn.Linear(D, D)  # noqa: E731
        self.sa_qcontent_proj, self.sa_qpos_proj, self.sa_kcontent_proj = lin(), lin(), lin()
        self.sa_kpos_proj, self.sa_v_proj, self.sa_out_proj = lin(), lin(), lin()
        self.ca_qcontent_proj, self.ca_kcontent_proj, self.ca_kpos_proj = lin(), lin(), lin()
        self.ca_v_proj, self.ca_qpos_sine_proj, self.ca_out_proj = lin(), lin(), lin()
        self.ca_qpos_proj = lin() if first else None       # the reference sets it to None after the first layer
        self.linear1, self.linear2 = nn.Linear(D, FFN), nn.Linear(FFN, D)
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(D), nn.LayerNorm(D), nn.LayerNorm(D)

    def forward(self, tgt, memory, mask, pos, query_pos, query_sine):
        q = self.sa_qcontent_proj(tgt) + self.sa_qpos_proj(query_pos)
        k = self.sa_kcontent_proj(tgt) + self.sa_kpos_proj(query_pos)
        tgt = self.norm1(tgt + self.sa_out_proj(attend(q, k, self.sa_v_proj(tgt), HEADS)))
        q = self.ca_qcontent_proj(tgt)
        k = self.ca_kcontent_proj(memory)
        k_pos = self.ca_kpos_proj(pos)
        if self.ca_qpos_proj is not None:
            q = q + self.ca_qpos_proj(query_pos)
            k = k + k_pos
        b, nq, s, dh = tgt.shape[0], tgt.shape[1], memory.shape[1], D // HEADS
        q = torch.cat((q.view(b, nq, HEADS, dh), self.ca_qpos_sine_proj(query_sine).view(b, nq, HEADS, dh)), 3)
        k = torch.cat((k.view(b, s, HEADS, dh), k_pos.view(b, s, HEADS, dh)), 3)
        ca = attend(q.view(b, nq, 2 * D), k.view(b, s, 2 * D), self.ca_v_proj(memory), HEADS, mask)
        tgt = self.norm2(tgt + self.ca_out_proj(ca))
        return self.norm3(tgt + self.linear2(F.relu(self.linear1(tgt))))


class ConditionalDetr(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = TinyResNet()
        self.input_proj = nn.Conv2d(128, D, 1)
        self.encoder = nn.ModuleList(EncoderLayer() for _ in range(ENC))
        self.decoder = nn.ModuleList(ConditionalDecoderLayer(i == 0) for i in range(DEC))
        self.query_embed = nn.Embedding(QUERIES, D)
        self.ref_point_head = MLP(D, D, 2, 2)
        self.query_scale = MLP(D, D, D, 2)
        self.decoder_norm = nn.LayerNorm(D)
        self.class_embed = nn.Linear(D, CLASSES)
        self.bbox_embed = MLP(D, D, 4, 3)
        nn.init.constant_(self.class_embed.bias, -math.log((1 - 0.01) / 0.01))
        nn.init.zeros_(self.bbox_embed.layers[-1].weight)
        nn.init.zeros_(self.bbox_embed.layers[-1].bias)

    def forward(self, images, mask):
        """images [B,3,H,W], mask [B,H,W] bool -> (logits [L,B,Q,C], boxes [L,B,Q,4] cxcywh)."""
        src = self.input_proj(self.backbone(images))                                   # [B,d,h,w]
        m = F.interpolate(mask[None].float(), size=src.shape[-2:])[0].bool()           # [B,h,w]
        pos = position_sine(m, D // 2).flatten(2).transpose(1, 2)                      # [B,S,d]
        memory, m = src.flatten(2).transpose(1, 2), m.flatten(1)
        for layer in self.encoder:
            memory = layer(memory, pos, m)
        query_pos = self.query_embed.weight[None].repeat(images.shape[0], 1, 1)       # [B,Q,d]
        reference = self.ref_point_head(query_pos).sigmoid()                           # [B,Q,2]
        embed = sine_embed(reference, D)
        tgt, hidden = torch.zeros_like(query_pos), []
        for i, layer in enumerate(self.decoder):
            query_sine = embed if i == 0 else embed * self.query_scale(tgt)
            tgt = layer(tgt, memory, m, pos, query_pos, query_sine)
            hidden.append(self.decoder_norm(tgt))
        hs = torch.stack(hidden)                                                        # [L,B,Q,d]
        ref = torch.log(reference.clamp(1e-5, 1 - 1e-5) / (1 - reference).clamp(min=1e-5))   # inverse_sigmoid
        delta = self.bbox_embed(hs)
        boxes = torch.cat((delta[..., :2] + ref, delta[..., 2:]), -1).sigmoid()
        return self.class_embed(hs), boxes


# ------------------------------------------------------------------------------------------- matching and loss
def box_xyxy(b):
    cx, cy, w, h = b.unbind(-1)
    return torch.stack((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), -1)


def generalized_box_iou(a, b):
    """Pairwise GIoU of xyxy boxes [N,4] x [M,4] -> [N,M]."""
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    lt, rb = torch.max(a[:, None, :2], b[:, :2]), torch.min(a[:, None, 2:], b[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    union = area_a[:, None] + area_b - inter
    iou = inter / union
    lt, rb = torch.min(a[:, None, :2], b[:, :2]), torch.max(a[:, None, 2:], b[:, 2:])
    hull = (rb - lt).clamp(min=0).prod(-1)
    return iou - (hull - union) / hull


def linear_sum_assignment(cost):
    """Exact minimum-cost assignment of a cost matrix (list of n rows of m floats), n <= m or transposed.

    Hungarian algorithm with row/column potentials and shortest augmenting paths (one Dijkstra-like pass per row),
    O(n^2 m). Returns (rows, cols) like scipy, rows ascending."""
    n, m = len(cost), len(cost[0]) if cost else 0
    if n > m:
        cols, rows = linear_sum_assignment([list(r) for r in zip(*cost)])
        order = sorted(range(len(rows)), key=lambda i: rows[i])
        return [rows[i] for i in order], [cols[i] for i in order]
    inf = float("inf")
    u, v = [0.0] * (n + 1), [0.0] * (m + 1)
    owner = [0] * (m + 1)                       # owner[j] = row (1-based) assigned to column j, 0 = free
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        owner[0], j0 = i, 0
        minv, used = [inf] * (m + 1), [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = owner[j0], inf, 0
            row = cost[i0 - 1]
            for j in range(1, m + 1):
                if not used[j]:
                    cur = row[j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    pairs = sorted((owner[j] - 1, j - 1) for j in range(1, m + 1) if owner[j])
    return [p[0] for p in pairs], [p[1] for p in pairs]


@torch.no_grad()
def match(logits, boxes, targets, alpha=0.25, gamma=2.0):
    """Deformable/Conditional DETR HungarianMatcher (class 2, bbox 5, giou 2) -> [(query idx, target idx)] per image."""
    b, q = logits.shape[:2]
    prob = logits.flatten(0, 1).sigmoid()
    out_box = boxes.flatten(0, 1)
    labels = torch.cat([t["labels"] for t in targets])
    tgt_box = torch.cat([t["boxes"] for t in targets])
    neg = (1 - alpha) * prob ** gamma * (-(1 - prob + 1e-8).log())
    pos = alpha * (1 - prob) ** gamma * (-(prob + 1e-8).log())
    cost = 5 * torch.cdist(out_box, tgt_box, p=1) + 2 * (pos[:, labels] - neg[:, labels]) \
        - 2 * generalized_box_iou(box_xyxy(out_box), box_xyxy(tgt_box))
    cost = cost.view(b, q, -1)
    result, start = [], 0
    for i, t in enumerate(targets):
        n = len(t["labels"])
        rows, cols = linear_sum_assignment(cost[i, :, start:start + n].tolist())
        result.append((torch.as_tensor(rows, dtype=torch.int64), torch.as_tensor(cols, dtype=torch.int64)))
        start += n
    return result


def stage_loss(logits, boxes, targets, indices, num_boxes, alpha=0.25, gamma=2.0):
    """2 * focal + 5 * L1 + 2 * (1 - GIoU) of one stage, Conditional DETR's normalisation."""
    batch_idx = torch.cat([torch.full_like(src, i) for i, (src, _) in enumerate(indices)])
    src_idx = torch.cat([src for src, _ in indices])
    onehot = torch.zeros_like(logits)
    labels = torch.cat([t["labels"][j] for t, (_, j) in zip(targets, indices)])
    onehot[batch_idx, src_idx, labels] = 1
    prob = logits.sigmoid()
    ce = F.binary_cross_entropy_with_logits(logits, onehot, reduction="none")
    p_t = prob * onehot + (1 - prob) * (1 - onehot)
    focal = ce * (1 - p_t) ** gamma * (alpha * onehot + (1 - alpha) * (1 - onehot))
    loss_ce = focal.mean(1).sum() / num_boxes * logits.shape[1]
    src_boxes = boxes[batch_idx, src_idx]
    tgt_boxes = torch.cat([t["boxes"][j] for t, (_, j) in zip(targets, indices)])
    loss_bbox = F.l1_loss(src_boxes, tgt_boxes, reduction="none").sum() / num_boxes
    loss_giou = (1 - torch.diag(generalized_box_iou(box_xyxy(src_boxes), box_xyxy(tgt_boxes)))).sum() / num_boxes
    return 2 * loss_ce + 5 * loss_bbox + 2 * loss_giou


# ------------------------------------------------------------------------------------------------ measurement
def make_batch(batch, height, width, seed):
    """BenchBatch's rule: normal pixels, odd images padded (content 3H/4 x 7W/8), 3 objects each."""
    g = torch.Generator().manual_seed(seed)
    rnd = random.Random(seed)
    images = torch.zeros(batch, 3, height, width)
    mask = torch.ones(batch, height, width, dtype=torch.bool)
    targets = []
    for i in range(batch):
        h, w = (height, width) if i % 2 == 0 else (3 * height // 4, 7 * width // 8)
        images[i, :, :h, :w] = torch.randn(3, h, w, generator=g)
        mask[i, :h, :w] = False
        boxes = []
        for _ in range(OBJECTS):
            bw, bh = 0.1 + 0.4 * rnd.random(), 0.1 + 0.4 * rnd.random()
            boxes.append([bw / 2 + (1 - bw) * rnd.random(), bh / 2 + (1 - bh) * rnd.random(), bw, bh])
        targets.append({"labels": torch.tensor([(3 * i + k) % CLASSES for k in range(OBJECTS)]),
                        "boxes": torch.tensor(boxes)})
    return images, mask, targets


class Trainer:
    """The reference train_one_epoch step: forward, match every stage, loss, backward, clip 0.1, AdamW."""

    def __init__(self, model):
        self.model = model
        backbone = [p for n, p in model.named_parameters() if "backbone" in n and p.requires_grad]
        rest = [p for n, p in model.named_parameters() if "backbone" not in n and p.requires_grad]
        self.params = backbone + rest
        self.optimizer = torch.optim.AdamW([{"params": rest}, {"params": backbone, "lr": 1e-5}], lr=1e-4,
                                           weight_decay=1e-4)
        self.parts = {k: [] for k in ("forward", "matching", "loss", "backward", "clip+AdamW")}

    def step(self, images, mask, targets, record=False):
        clocks = [time.process_time()]
        self.optimizer.zero_grad()
        logits, boxes = self.model(images, mask)
        clocks.append(time.process_time())
        indices = [match(logits[k].detach(), boxes[k].detach(), targets) for k in range(logits.shape[0])]
        clocks.append(time.process_time())
        num_boxes = max(float(sum(len(t["labels"]) for t in targets)), 1.0)
        loss = sum(stage_loss(logits[k], boxes[k], targets, indices[k], num_boxes) for k in range(logits.shape[0]))
        clocks.append(time.process_time())
        loss.backward()
        clocks.append(time.process_time())
        torch.nn.utils.clip_grad_norm_(self.params, 0.1)
        self.optimizer.step()
        clocks.append(time.process_time())
        if record:
            for name, a, b in zip(self.parts, clocks, clocks[1:]):
                self.parts[name].append(1e3 * (b - a))
        return loss.item()


def timed(fn, n):
    """Medians (ms) of thread CPU, process CPU and wall time of n calls."""
    t, p, w = [], [], []
    for _ in range(n):
        t0, p0, w0 = time.thread_time(), time.process_time(), time.perf_counter()
        fn()
        t.append(1e3 * (time.thread_time() - t0))
        p.append(1e3 * (time.process_time() - p0))
        w.append(1e3 * (time.perf_counter() - w0))
    return statistics.median(t), statistics.median(p), statistics.median(w)


def count_ops(fn):
    """aten ops dispatched by fn() (forward, backward and optimizer), via TorchDispatchMode; -1 if unavailable."""
    try:
        from torch.utils._python_dispatch import TorchDispatchMode
    except ImportError:
        return -1

    class Counter(TorchDispatchMode):
        n = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            Counter.n += 1
            return func(*args, **(kwargs or {}))

    with Counter():
        fn()
    return Counter.n


def vm_hwm_mib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def measure(threads, args):
    torch.set_num_threads(threads)
    torch.manual_seed(args.seed)
    reset_peak()
    model = ConditionalDetr()
    images, mask, targets = make_batch(args.batch, args.height, args.width, args.seed)
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)

    def forward():
        with torch.no_grad():
            model(images, mask)

    for _ in range(args.warmup):
        forward()
    fwd = timed(forward, args.iterations)
    trainer = Trainer(model)
    for _ in range(args.warmup):
        trainer.step(images, mask, targets)
    losses = []
    step = timed(lambda: losses.append(trainer.step(images, mask, targets, record=True)), args.iterations)
    ops_fwd = count_ops(forward)
    ops_step = count_ops(lambda: trainer.step(images, mask, targets))
    return dict(threads=threads, params=params, fwd=fwd, step=step, ops_fwd=ops_fwd, ops_step=ops_step,
                parts={k: statistics.median(v) for k, v in trainer.parts.items()}, losses=(losses[0], losses[-1]),
                rss=vm_hwm_mib())


def selftest():
    rnd = random.Random(1)
    for n, m in [(1, 1), (2, 5), (3, 7), (4, 4), (5, 3), (3, 50)]:
        for _ in range(20):
            c = [[rnd.random() for _ in range(m)] for _ in range(n)]
            rows, cols = linear_sum_assignment(c)
            got = sum(c[r][k] for r, k in zip(rows, cols))
            if n <= m:
                best = min(sum(c[i][p[i]] for i in range(n)) for p in itertools.permutations(range(m), n))
            else:
                best = min(sum(c[p[j]][j] for j in range(m)) for p in itertools.permutations(range(n), m))
            assert abs(got - best) < 1e-12 and len(set(cols)) == len(cols) == min(n, m), (n, m, got, best)
    print("linear_sum_assignment: optimal on 120 random problems (brute force), shapes up to 3x50")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--canvas", default="128x128")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--selftest", action="store_true", help="check the assignment solver against brute force and exit")
    args = ap.parse_args()
    if args.selftest:
        selftest()
        return
    hw = args.canvas.lower().split("x")
    args.height, args.width = int(hw[0]), int(hw[-1])
    torch.set_num_interop_threads(1)
    load = os.getloadavg()
    print("# PyTorch reference: tiny Conditional DETR")
    print(f"torch:    {torch.__version__}, python {sys.version.split()[0]}, mkldnn {torch.backends.mkldnn.is_available()}, "
          f"{os.cpu_count()} cores")
    print(f"config:   tiny backbone (BasicBlock [1,1,1,1], widths 16..128, stem 16), d {D}, {HEADS} heads, {ENC}+{DEC} "
          f"layers, FFN {FFN}, {QUERIES} queries, {CLASSES} classes, canvas {args.height}x{args.width}, batch {args.batch}, "
          f"FLOAT")
    print(f"options:  {args.iterations} timed + {args.warmup} warm-up calls, threads {args.threads}, seed {args.seed}")
    print(f"load avg: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min) (start)")
    rows = [measure(int(t), args) for t in args.threads.split(",")]
    load = os.getloadavg()
    print(f"load avg: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min) (end)")
    print("\n## Summary (medians, ms; process CPU is the primary figure for PyTorch)\n")
    print("| variant | params | graph ops | ops/fwd | ops/step | fwd thread CPU | fwd process CPU | fwd wall "
          "| step thread CPU | step process CPU | step wall | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        f, s = r["fwd"], r["step"]
        print(f"| conditional_detr (torch, {r['threads']} thread{'s' if r['threads'] > 1 else ''}) | {r['params']:,} | – "
              f"| {r['ops_fwd']} | {r['ops_step']} | {f[0]:.1f} | {f[1]:.1f} | {f[2]:.1f} | {s[0]:.1f} | {s[1]:.1f} "
              f"| {s[2]:.1f} | {r['rss']:.0f} |")
    print("\n## Training step by part (process CPU ms, medians)\n")
    print("| threads | " + " | ".join(rows[0]["parts"]) + " | loss first → last |")
    print("|---:|" + "---:|" * len(rows[0]["parts"]) + "---|")
    for r in rows:
        print(f"| {r['threads']} | " + " | ".join(f"{v:.1f}" for v in r["parts"].values())
              + f" | {r['losses'][0]:.3f} → {r['losses'][1]:.3f} |")


if __name__ == "__main__":
    main()
