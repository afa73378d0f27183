"""Synthetic landing data for the chat warehouse (spec/contract.md), at any size.

`python -m chat_warehouse.generator --help` (or `chat-gen`) writes a landing folder; from Python:

    from chat_warehouse.generator import GeneratorConfig, generate, prepare_out
    prepare_out(path, force=True)
    summary = generate(GeneratorConfig(out=path, messages=5_000))

Modules, in the order a run uses them: `config` (options), `world` (shops, agents, shifts,
holidays, hourly grids), `plan` (the story of each session, vectorised), `emit` (rows),
`faults` (contract-breaking rows), `tables` (Arrow tables), `writer` (files), `engine` (the loop).
"""

from chat_warehouse.generator.config import GeneratorConfig
from chat_warehouse.generator.engine import Summary, generate, prepare_out, read_manifest

__all__ = ["GeneratorConfig", "Summary", "generate", "prepare_out", "read_manifest"]
