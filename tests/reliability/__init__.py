"""Reliability and security tests: hostile files, crashes in the middle of a load, Neo4j going away, a full
disk, injection. The fast part runs in the normal suite; the slow part is marked `slow` (CI runs it too).
RELIABILITY.md quotes the figures these tests measure and says how to reproduce each."""
