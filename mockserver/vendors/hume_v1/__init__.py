"""Emulator of the Hume Expression Measurement API v1 (``api.cloud.hume.ai``).

Realtime audio and video over WebSocket (``/v1/expression/{audio,video}/realtime``), file
uploads and run records over HTTP, on one port, as the official
``hume-expression-measurement`` SDK expects (``ExpressionMeasurementClientEnvironment(base=
..., production=...)`` naming the same host and port). See ``docs/hume-v1.md``.

Modules: ``config`` (settings), ``errors`` (error catalogue and close codes), ``codec``
(messages and configurations), ``handshake`` (who may connect), ``formats`` (media checks),
``labels`` (label sets), ``utterances`` (utterance and measurement timing), ``engine``
(scores), ``runs`` (run records), ``session`` (realtime sessions), ``rest`` (HTTP router),
``service`` (wiring).
"""
