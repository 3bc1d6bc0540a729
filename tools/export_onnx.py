#!/usr/bin/env python3
"""Export a PyTorch DETR-family model to ONNX for detr-distill's OnnxTeacherGraph.

The model is any nn.Module whose forward(images) returns the DETR output dict
({'pred_logits': [B,Q,C], 'pred_boxes': [B,Q,4], 'aux_outputs': [{'pred_logits', 'pred_boxes'}, ...]}).
The export uses the settings the Java importer needs:

  * do_constant_folding=False   -> every state_dict key survives as an ONNX initializer name
  * eval mode, fixed input size  -> shapes, masks and positional encodings are static (no dynamic axes)
  * named outputs pred_logits, pred_boxes, aux_logits [L-1,B,Q,C], aux_boxes [L-1,B,Q,4], hs [L,B,Q,d]
    (hs is captured from model.transformer's first output when the model has one), and with --features MODULE
    feature_0, feature_1, ... [B,d,H_l,W_l]: the outputs of that module in call order (of each element when it
    is an nn.ModuleList), e.g. --features input_proj for the official Conditional / Deformable DETR necks
  * opset 13 (16 when the model uses grid_sample, e.g. Deformable DETR)

Beside model.onnx it writes state_dict/<key>.npy (float32), input.npy, ref_outputs/<name>.npy (the PyTorch
outputs on input.npy, for a parity check), onnx_output_mapping.json (for OnnxOutputMapping) and export.json.

Usage:
  /usr/bin/python3 tools/export_onnx.py --demo --out /tmp/demo_teacher
  /usr/bin/python3 tools/export_onnx.py --demo --height 128 --width 128 --num-classes 6 --features input_proj \
      --out /tmp/demo_teacher
  /usr/bin/python3 tools/export_onnx.py --model mypkg.build:make_model --checkpoint ckpt.pth --out teacher/ \
      --height 800 --width 1088 --opset 16 --features input_proj

Needs Debian's python3-torch (and python3-onnx for the initializer-name check):
  apt-get install -y python3-torch python3-onnx
"""
import argparse
import importlib
import json
import os
import sys

import numpy as np
import torch
from torch import nn

OUTPUTS = ["pred_logits", "pred_boxes", "aux_logits", "aux_boxes", "hs"]


class DemoDetr(nn.Module):
    """A tiny self-contained DETR-like detector: a stride-32 conv backbone (five 3x3/2 convs), a 1x1 input_proj to the
    model width (the neck output, like DETR's), learned positions, a post-norm transformer (1 encoder, 2 decoder
    layers) with per-layer outputs, sigmoid boxes and aux outputs."""

    def __init__(self, num_classes=5, d=32, heads=4, queries=8, dec_layers=2, hw=(64, 64)):
        super().__init__()
        widths = [3, 16, 32, 32, 64, 64]
        layers = []
        for cin, cout in zip(widths[:-1], widths[1:]):
            layers += [nn.Conv2d(cin, cout, 3, 2, 1), nn.ReLU()]
        self.backbone = nn.Sequential(*layers)
        self.input_proj = nn.Conv2d(widths[-1], d, 1)
        h, w = hw[0] // 32, hw[1] // 32
        self.pos = nn.Parameter(torch.randn(h * w, 1, d) * 0.1)
        self.transformer = DemoTransformer(d, heads, dec_layers)
        self.query_embed = nn.Embedding(queries, d)
        self.class_embed = nn.Linear(d, num_classes)
        self.bbox_embed = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, 4))

    def forward(self, images):
        f = self.input_proj(self.backbone(images))      # [B,d,H/32,W/32]
        src = f.flatten(2).permute(2, 0, 1)             # [hw,B,d]
        hs, memory = self.transformer(src, self.pos, self.query_embed.weight)
        logits = self.class_embed(hs)                   # [L,B,Q,C]
        boxes = self.bbox_embed(hs).sigmoid()
        return {"pred_logits": logits[-1], "pred_boxes": boxes[-1],
                "aux_outputs": [{"pred_logits": a, "pred_boxes": b} for a, b in zip(logits[:-1], boxes[:-1])]}


class DemoTransformer(nn.Module):
    def __init__(self, d, heads, dec_layers):
        super().__init__()
        self.encoder = nn.TransformerEncoderLayer(d, heads, dim_feedforward=2 * d, dropout=0.0)
        self.decoder = nn.ModuleList(nn.TransformerDecoderLayer(d, heads, dim_feedforward=2 * d, dropout=0.0)
                                     for _ in range(dec_layers))
        self.norm = nn.LayerNorm(d)

    def forward(self, src, pos, query):
        memory = self.encoder(src + pos)
        tgt = query.unsqueeze(1).repeat(1, src.shape[1], 1)    # [Q,B,d]
        outs = []
        for layer in self.decoder:
            tgt = layer(tgt, memory)
            outs.append(self.norm(tgt).transpose(0, 1))        # [B,Q,d]
        return torch.stack(outs), memory                       # hs [L,B,Q,d], memory [hw,B,d]


class ExportWrapper(nn.Module):
    """Turns the output dict into the named tuple of tensors the Java side maps (and captures hs and features)."""

    def __init__(self, model, with_hs, features=None):
        super().__init__()
        self.model = model
        self.with_hs = with_hs
        self._hs = None
        self._features = []
        if with_hs:
            model.transformer.register_forward_hook(self._capture)
        if features:
            module = model.get_submodule(features)
            parts = list(module) if isinstance(module, nn.ModuleList) else [module]
            for part in parts:
                part.register_forward_hook(self._capture_feature)

    def _capture(self, module, inputs, output):
        self._hs = output[0] if isinstance(output, (tuple, list)) else output

    def _capture_feature(self, module, inputs, output):
        f = output.tensors if hasattr(output, "tensors") else output
        if not torch.is_tensor(f) or f.dim() != 4:
            raise ValueError(f"--features: {type(module).__name__} returned {type(f).__name__}, not a [B,C,H,W] tensor")
        self._features.append(f)

    def forward(self, images):
        self._features = []
        out = self.model(images)
        aux = out.get("aux_outputs") or []
        if not aux:
            raise ValueError("the model returned no aux_outputs: build it with aux_loss=True")
        res = [out["pred_logits"], out["pred_boxes"],
               torch.stack([a["pred_logits"] for a in aux]), torch.stack([a["pred_boxes"] for a in aux])]
        if self.with_hs:
            res.append(self._hs)
        res.extend(self._features)
        return tuple(res)


def strip_wrapper_prefix(m, prefix="model."):
    """The wrapper names every parameter model.<key>: rename initializers (and their uses) to the state_dict key."""
    renames = {i.name: i.name[len(prefix):] for i in m.graph.initializer if i.name.startswith(prefix)}
    for i in m.graph.initializer:
        i.name = renames.get(i.name, i.name)
    for n in m.graph.node:
        for j, x in enumerate(n.input):
            if x in renames:
                n.input[j] = renames[x]
    for v in m.graph.input:
        v.name = renames.get(v.name, v.name)


def load_model(spec, checkpoint):
    if ":" not in spec:
        sys.exit("--model must be module.path:callable, got " + spec)
    mod, fn = spec.split(":", 1)
    model = getattr(importlib.import_module(mod), fn)()
    if checkpoint:
        state = torch.load(checkpoint, map_location="cpu")
        state = state.get("model", state) if isinstance(state, dict) else state
        missing, unexpected = model.load_state_dict(state, strict=False)
        if missing or unexpected:
            print(f"warning: checkpoint keys missing {missing[:5]}..., unexpected {unexpected[:5]}...", file=sys.stderr)
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--demo", action="store_true", help="export the built-in tiny DETR-like model")
    p.add_argument("--model", help="module.path:callable returning the nn.Module (aux_loss on)")
    p.add_argument("--checkpoint", help="optional .pth with a state_dict (or {'model': state_dict})")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--height", type=int, default=None)
    p.add_argument("--width", type=int, default=None)
    p.add_argument("--batch", type=int, default=1, help="traced batch size (1 lets the Java side run any batch)")
    p.add_argument("--opset", type=int, default=13, help="13, or 16 for models using grid_sample")
    p.add_argument("--no-hs", action="store_true", help="do not capture hs from model.transformer")
    p.add_argument("--features", metavar="MODULE", default=None,
                   help="also export the outputs of this submodule as feature_0, feature_1, ... [B,C,H,W] "
                        "(each element of an nn.ModuleList in order), e.g. input_proj (official Conditional / Deformable DETR, and the demo)")
    p.add_argument("--num-classes", type=int, default=5, help="classes of the --demo model (default 5)")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    if a.demo == bool(a.model):
        sys.exit("give exactly one of --demo or --model")
    torch.manual_seed(a.seed)
    h = a.height or (64 if a.demo else 800)
    w = a.width or (64 if a.demo else 800)
    model = DemoDetr(num_classes=a.num_classes, hw=(h, w)) if a.demo else load_model(a.model, a.checkpoint)
    if a.demo:
        # move parameters off their trivial initial values (unit LayerNorm weights, zero biases): torch's exporter
        # stores equal-valued initializers once, which would hide their state_dict names
        with torch.no_grad():
            for prm in model.parameters():
                prm.add_(0.05 * torch.randn_like(prm))
    model.eval()
    with_hs = not a.no_hs and hasattr(model, "transformer")
    wrapper = ExportWrapper(model, with_hs, a.features).eval()
    names = OUTPUTS if with_hs else OUTPUTS[:4]

    os.makedirs(os.path.join(a.out, "state_dict"), exist_ok=True)
    os.makedirs(os.path.join(a.out, "ref_outputs"), exist_ok=True)
    images = torch.randn(a.batch, 3, h, w)
    with torch.no_grad():
        ref = wrapper(images)
    features = [f"feature_{l}" for l in range(len(ref) - len(names))]
    if a.features and not features:
        sys.exit(f"--features {a.features}: the module was not called in forward()")
    names = names + features
    path = os.path.join(a.out, "model.onnx")
    torch.onnx.export(wrapper, (images,), path, opset_version=a.opset, do_constant_folding=False,
                      export_params=True, keep_initializers_as_inputs=False, training=torch.onnx.TrainingMode.EVAL,
                      input_names=["images"], output_names=names, dynamic_axes=None)

    np.save(os.path.join(a.out, "input.npy"), images.numpy().astype(np.float32))
    for n, t in zip(names, ref):
        np.save(os.path.join(a.out, "ref_outputs", n + ".npy"), t.numpy().astype(np.float32))
    state = model.state_dict()
    for k, v in state.items():
        np.save(os.path.join(a.out, "state_dict", k + ".npy"), v.detach().cpu().numpy().astype(np.float32))
    mapping = {"logits": "pred_logits", "boxes": "pred_boxes", "auxLogits": "aux_logits", "auxBoxes": "aux_boxes",
               "memorySequenceFirst": False}
    if with_hs:
        mapping["hidden"] = "hs"
    if features:
        mapping["features"] = features
    with open(os.path.join(a.out, "onnx_output_mapping.json"), "w") as f:
        json.dump(mapping, f, indent=1)

    report = {"opset": a.opset, "do_constant_folding": False, "input": [a.batch, 3, h, w], "outputs": names,
              "output_shapes": {n: list(t.shape) for n, t in zip(names, ref)}, "torch": torch.__version__,
              "state_dict_keys": len(state)}
    try:
        import onnx
        from onnx import numpy_helper
        m = onnx.load(path)
        strip_wrapper_prefix(m)
        onnx.checker.check_model(m)
        onnx.save(m, path)
        inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
        missing = [k for k in state if k not in inits]
        aliases = {}
        for k in missing:   # torch stores equal-valued tensors once (shared modules, untouched init values)
            v = state[k].detach().cpu().numpy()
            same = [n for n, t in inits.items() if t.shape == v.shape and np.array_equal(t, v)]
            if same:
                aliases[k] = same[0]
        report["state_dict_keys_not_initializers"] = missing
        report["shared_parameter_aliases"] = aliases
        unexplained = [k for k in missing if k not in aliases]
        if unexplained:
            print(f"warning: {len(unexplained)} state_dict keys are not initializers (unused parameters?): "
                  f"{unexplained[:5]}", file=sys.stderr)
    except ImportError:
        report["state_dict_keys_not_initializers"] = "not checked (python3-onnx missing); names carry a 'model.' prefix"
    with open(os.path.join(a.out, "export.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(f"wrote {path} ({os.path.getsize(path)} bytes), outputs {report['output_shapes']}")


if __name__ == "__main__":
    main()
