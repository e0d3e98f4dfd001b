"""Golden transcripts of fixed client flows (see ``flows.py``)."""
