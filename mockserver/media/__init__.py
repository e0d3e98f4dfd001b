"""Vendor-neutral media decoding and analysis (PyAV, Pillow, OpenCV, NumPy).

These modules import heavy libraries at module level. Sessions import them lazily, on the
first message that carries media, so that ``mockserver serve`` and the pytest plugin start fast.
"""
