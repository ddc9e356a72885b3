"""Run the SEI stand-in by hand: ``python -m tests.sei_standin PORT [DIR]``;
prints the SEI_WS_* variables to point the assistant at it; Ctrl-C stops."""

from __future__ import annotations

import signal
import sys
import tempfile
from pathlib import Path

from tests.sei_standin import StandIn

porta = int(sys.argv[1]) if len(sys.argv) > 1 else 17300
pasta = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="sei-standin-"))
servidor = StandIn(pasta, porta).iniciar()
signal.signal(signal.SIGTERM, lambda *_: (servidor.parar(), sys.exit(0)))
for nome, valor in servidor.ambiente().items():
    print(f"export {nome}='{valor}'")
try:
    assert servidor.proc is not None
    servidor.proc.wait()
except KeyboardInterrupt:
    servidor.parar()
