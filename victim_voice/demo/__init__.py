"""Synthetic supplier deliveries for Victim Voice: realistic, valid, and deliberately flawed.

Everything here is made up. Column names, codes and quotas come from the project's copy
of the contract (:func:`schemas.codebook.load_codebook`). The building blocks, one module
each:

- :func:`generate_rows` - ``n`` valid responses for one fieldwork month, as text (``rows``),
- :func:`make_messy` - messy-but-valid variants (case, spaces, day-first dates) (``rows``),
- :func:`plant_bad_rows` - one invalid row per requested kind, with a manifest (``bad_rows``),
- :func:`write_delivery` - CSV (UTF-8, UTF-8 with BOM, Windows-1252) or XLSX (``files``),
- :func:`write_demo_deliveries` - a year of deliveries for ``make demo`` (``deliveries``),
- :func:`write_scale_deliveries` - large CSV deliveries for benchmarks (``deliveries``);

with their distributions (``distributions``), comment templates (``comments``) and
sampling helpers (``sampling``).

Example::

    >>> from datetime import date
    >>> from pathlib import Path
    >>> import numpy as np
    >>> rows = generate_rows(170, "2024-05", np.random.default_rng(1), first_id=1)
    >>> rows.loc[0, "response_id"]
    'VV00000001'
    >>> bad, manifest = plant_bad_rows(rows, np.random.default_rng(2), kinds=("duplicate_id",))
    >>> manifest[0]["kind"]
    'duplicate_id'
    >>> path = write_delivery(bad, Path("/tmp/VictimVoice_2024-05_01.csv"))  # doctest: +SKIP
    >>> deliveries = write_demo_deliveries(Path("landing"), today=date(2025, 1, 15))  # doctest: +SKIP
    >>> [d.path.name for d in deliveries][:2]  # doctest: +SKIP
    ['VictimVoice_2024-01_01.csv', 'VictimVoice_2024-02_01.csv']
"""

from victim_voice.demo.bad_rows import BAD_ROW_KINDS, plant_bad_rows
from victim_voice.demo.deliveries import DeliveryManifest, delivery_name, write_demo_deliveries, write_scale_deliveries
from victim_voice.demo.files import write_delivery
from victim_voice.demo.rows import generate_rows, make_messy

__all__ = [
    "BAD_ROW_KINDS",
    "DeliveryManifest",
    "delivery_name",
    "generate_rows",
    "make_messy",
    "plant_bad_rows",
    "write_delivery",
    "write_demo_deliveries",
    "write_scale_deliveries",
]
