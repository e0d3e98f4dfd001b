"""Transport-independent building blocks shared by every vendor session.

Nothing under ``mockserver.core`` may import ``asyncio``, ``websockets`` or ``grpc``:
sessions are driven by adapters, or by a unit test from a list with a :class:`ManualClock`.
"""
