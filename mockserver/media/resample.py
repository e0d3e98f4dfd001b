"""Chunking-invariant streaming resampler (Behavioral Signals audio timeline).

Behavioral Signals clients stream ``pcm_s16le`` at any positive rate in chunks of any size,
and the service resamples to 16 kHz for its models (readme.io: "Resampled to 16kHz for models").
The emulator places all audio on a 16 kHz timeline with :class:`StreamResampler`.

Method: output sample ``k`` lies at input position ``t_k = k * from_rate / to_rate`` (input
samples). It is a Kaiser-windowed sinc interpolation of the ``2 * half`` input samples
``floor(t_k) - half + 1 .. floor(t_k) + half`` (input before the start and after the end of
the stream counts as zeros), with the cut-off at ``0.45 * min(from_rate, to_rate)`` and
``_ZERO_CROSSINGS`` zero crossings of the sinc on each side at the lower rate. The taps for
a phase come from a table built once per instance: exact phases when ``to / gcd`` is at most
``_MAX_PHASES``, otherwise linear interpolation between rows of a ``_MAX_PHASES`` grid. Taps
and arithmetic are float32 (the taps are designed in float64). Each output is accumulated tap
by tap in a fixed order, so it depends only on its own input window and the phase: the
concatenated output is bit-identical for every chunking of the input.

Length rule: after :meth:`StreamResampler.flush`, exactly
``floor(n_in * to_rate / from_rate)`` samples have been produced (``n_in`` input samples).
Latency: an output sample is emitted once the ``half`` input samples after its position have
arrived (``half = ceil(16 * from_rate / min(from_rate, to_rate))``: 16 input samples when
upsampling, 45 = 1.0 ms at 44.1 kHz). Equal rates are an exact pass-through.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["StreamResampler"]

_ZERO_CROSSINGS = 16  # sinc zero crossings per side, counted at the lower of the two rates
_ROLLOFF = 0.9  # cut-off as a fraction of the lower Nyquist frequency
_KAISER_BETA = 8.0
_MAX_PHASES = 1024  # largest exact phase table; finer phase sets are interpolated


_MAX_OUTPUT_BLOCK = 8192  # output samples computed per vectorised step


def _kernel(offsets: npt.NDArray[np.float64], cutoff: float, half: int) -> npt.NDArray[np.float64]:
    """Windowed-sinc low-pass impulse response at ``offsets`` (input samples from centre).

    ``cutoff`` is in cycles per input sample. Rows are normalised to unit DC gain.
    """
    h = 2.0 * cutoff * np.sinc(2.0 * cutoff * offsets)
    ratio = np.clip(offsets / (half + 1.0), -1.0, 1.0)
    window = np.i0(_KAISER_BETA * np.sqrt(1.0 - ratio * ratio)) / np.i0(_KAISER_BETA)
    taps = h * window
    sums = taps.sum(axis=-1, keepdims=True)
    return np.asarray(taps / sums, dtype=np.float64)


class StreamResampler:
    """Resample a mono float stream from ``from_rate`` to ``to_rate`` Hz, chunk by chunk.

    See the module docstring for the method, the length rule and the latency.
    """

    __slots__ = (
        "_buf",
        "_buf_start",
        "_closed",
        "_from",
        "_grid",
        "_half",
        "_n_in",
        "_n_out",
        "_phases",
        "_table",
        "_to",
    )

    def __init__(self, from_rate: int, to_rate: int = 16000) -> None:
        if from_rate <= 0 or to_rate <= 0:
            raise ValueError("sample rates must be positive")
        g = math.gcd(from_rate, to_rate)
        self._from = from_rate // g  # reduced ratio: t_k = k * _from / _to
        self._to = to_rate // g
        self._n_in = 0  # input samples received
        self._n_out = 0  # output samples emitted
        self._buf = np.zeros(0, dtype=np.float32)  # input history
        self._buf_start = 0  # absolute input index of _buf[0]
        self._closed = False
        if self._from == self._to:
            self._half = 0
            self._phases = 1
            self._grid = False
            self._table = np.ones((1, 1), dtype=np.float32)
            return
        lower = min(from_rate, to_rate)
        cutoff = _ROLLOFF * 0.5 * lower / from_rate  # cycles per input sample
        self._half = math.ceil(_ZERO_CROSSINGS * from_rate / lower)
        self._grid = self._to > _MAX_PHASES
        self._phases = _MAX_PHASES if self._grid else self._to
        # Row p holds the taps for fractional position p / phases; the tap j (0-based) reads
        # input floor(t) - half + 1 + j, at offset (j - half + 1 - frac) from t.
        rows = self._phases + 1 if self._grid else self._phases
        frac = np.arange(rows, dtype=np.float64)[:, None] / self._phases
        j = np.arange(2 * self._half, dtype=np.float64)[None, :]
        taps = _kernel(j - self._half + 1 - frac, cutoff, self._half)
        self._table = taps.astype(np.float32)

    @property
    def latency_samples(self) -> int:
        """Input samples that must follow an output's position before it is emitted."""
        return self._half

    def _ready(self, n_in: int, final: bool) -> int:
        """Number of output samples computable from ``n_in`` inputs (in total, not new)."""
        limit = n_in * self._to // self._from
        if final:
            return limit
        m = n_in - 1 - self._half  # last input position whose window is complete
        if m < 0:
            return 0
        return min(limit, ((m + 1) * self._to + self._from - 1) // self._from)

    def _compute(self, k0: int, k1: int) -> npt.NDArray[np.float32]:
        """Output samples ``k0 .. k1 - 1`` from the history buffer (zero-padded at the ends)."""
        k = np.arange(k0, k1, dtype=np.int64)
        num = k * self._from
        base = num // self._to  # floor(t_k)
        rem = num - base * self._to  # frac(t_k) * _to
        first = base - self._half + 1  # absolute index of tap 0
        # Pad the history so that every window is inside it.
        lo = int(first[0])
        hi = int(first[-1]) + 2 * self._half
        pad_left = max(0, self._buf_start - lo)
        pad_right = max(0, hi - (self._buf_start + len(self._buf)))
        buf = self._buf
        if pad_left or pad_right:
            buf = np.concatenate(
                (np.zeros(pad_left, np.float32), self._buf, np.zeros(pad_right, np.float32))
            )
        origin = self._buf_start - pad_left
        if self._grid:
            scaled = rem * self._phases
            row = scaled // self._to
            weight = ((scaled - row * self._to) / self._to).astype(np.float32)[:, None]
            taps = self._table[row] * (np.float32(1.0) - weight) + self._table[row + 1] * weight
        else:
            taps = self._table[rem]
        windows = np.lib.stride_tricks.sliding_window_view(buf, 2 * self._half)[first - origin]
        # Sum the (tap, output) products tap by tap in a fixed order, so that each output is
        # the same float sum whatever the batch size (numpy's pairwise reductions need not be).
        prod = np.ascontiguousarray((taps * windows).T)
        acc: npt.NDArray[np.float32] = np.array(prod[0], dtype=np.float32)
        for j in range(1, 2 * self._half):
            acc += prod[j]
        return acc

    def _advance(self, final: bool) -> npt.NDArray[np.float32]:
        target = self._ready(self._n_in, final)
        if target <= self._n_out:
            out = np.zeros(0, dtype=np.float32)
        else:
            # Bounded blocks keep the (outputs x taps) products small for huge pushes; each
            # output is summed the same way in any block, so the result does not change.
            out = np.concatenate(
                [
                    self._compute(k, min(k + _MAX_OUTPUT_BLOCK, target))
                    for k in range(self._n_out, target, _MAX_OUTPUT_BLOCK)
                ]
            )
            self._n_out = target
        # Drop history no future output needs.
        keep_from = (self._n_out * self._from) // self._to - self._half + 1
        drop = min(max(0, keep_from - self._buf_start), len(self._buf))
        if drop:
            self._buf = self._buf[drop:]
            self._buf_start += drop
        return out

    def push(self, samples: npt.NDArray[np.floating] | npt.ArrayLike) -> npt.NDArray[np.float32]:
        """Add input samples; return the output samples that became computable."""
        if self._closed:
            raise RuntimeError("push() after flush()")
        data = np.asarray(samples, dtype=np.float32).reshape(-1)
        if self._from == self._to:
            self._n_in += len(data)
            self._n_out += len(data)
            return data.astype(np.float32)
        if len(data) == 0:
            return np.zeros(0, dtype=np.float32)
        self._buf = np.concatenate((self._buf, data))
        self._n_in += len(data)
        return self._advance(final=False)

    def flush(self) -> npt.NDArray[np.float32]:
        """End the stream: return the remaining output (the tail is zero-padded)."""
        if self._closed:
            return np.zeros(0, dtype=np.float32)
        self._closed = True
        if self._from == self._to:
            return np.zeros(0, dtype=np.float32)
        out = self._advance(final=True)
        self._buf = np.zeros(0, dtype=np.float32)
        return out
