"""paraphrase-MiniLM-L3-v2's weights from its ONNX file into an .npz for numpy.

    python bench/stories_minilm_npz.py MODEL.onnx OUT.npz

Issue 31's seventh pass (docs/stories.md): bench/stories_minilm.py runs the model in
plain numpy when `MINILM_NPZ` names the output, with no onnxruntime. Reading the ONNX
file needs the `onnx` package (the experiment installed onnx 1.23.2 and ml_dtypes with
`pip install --target` outside the project's environment); run once, not at run time.
"""

import sys

import numpy as np
import onnx
from onnx import numpy_helper

src, dst = sys.argv[1], sys.argv[2]
g = onnx.load(src).graph
init = {i.name: numpy_helper.to_array(i) for i in g.initializer}
P = "model.0.auto_model."
out = {k[len(P) :]: v for k, v in init.items() if k.startswith(P)}
# The MatMul weights lost their names in the export: map them by the graph, layer by layer,
# following each layer's MatMul nodes in graph order (query, key, value, attention output,
# intermediate, output).
mats = [n for n in g.node if n.op_type == "MatMul" and any(i in init for i in n.input)]
names = [
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
]
assert len(mats) == 18, len(mats)
for k, node in enumerate(mats):
    w = next(i for i in node.input if i in init)
    out[f"encoder.layer.{k // 6}.{names[k % 6]}.weight"] = init[w]
    print(node.name, w, init[w].shape, f"-> layer {k // 6} {names[k % 6]}")
np.savez(dst, **out)
