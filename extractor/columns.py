"""Rows kept as columns: one list per field that varies, one value per field that does not.

A document's table cells (rows.parquet's rows, about 1,800 a document) travel
from the worker's result through the state file to the output files as a
:class:`ColumnBatch` instead of one dict per cell. In a state file a batch is
the JSON object ``{"constants": {field: value}, "columns": {field: [value, …]}}``,
every column as long as the batch; a field is in one of the two, or in neither
(then no row has it). Dicts are made only where a file needs them (JSON Lines,
the review queue), with their keys in the batch's ``fields`` order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any


@dataclass(frozen=True)
class ColumnBatch:
    """Rows as ``constants`` (the same in every row) and ``columns`` (a list each, one value a row);
    ``fields`` orders the keys of the rows' dicts."""

    constants: Mapping[str, Any]
    columns: Mapping[str, list[Any]]
    fields: Sequence[str]

    @classmethod
    def from_json(cls, data: Mapping[str, Any], fields: Sequence[str]) -> ColumnBatch:
        """A batch from its state-file object (see the module docstring)."""
        return cls(dict(data["constants"]), dict(data["columns"]), tuple(fields))

    def to_json(self) -> dict[str, Any]:
        """The state-file object of this batch."""
        return {"constants": dict(self.constants), "columns": dict(self.columns)}

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), ()))

    @property
    def names(self) -> tuple[str, ...]:
        """The fields the rows have, in ``fields`` order."""
        return tuple(f for f in self.fields if f in self.constants or f in self.columns)

    def column(self, name: str) -> list[Any]:
        """Field ``name`` of every row (a constant repeated, None where no row has it)."""
        if name in self.columns:
            return self.columns[name]
        return [self.constants.get(name)] * len(self)

    def with_constants(self, **values: Any) -> ColumnBatch:
        """The same rows with ``values`` as constants (replacing any column of the same name)."""
        columns = {k: v for k, v in self.columns.items() if k not in values}
        return ColumnBatch({**self.constants, **values}, columns, self.fields)

    def without(self, name: str) -> ColumnBatch:
        """The same rows without field ``name``."""
        return ColumnBatch({k: v for k, v in self.constants.items() if k != name},
                           {k: v for k, v in self.columns.items() if k != name}, self.fields)

    def dicts(self, indices: Iterable[int] | None = None) -> Iterator[dict[str, Any]]:
        """The rows as dicts (those at ``indices`` only, when given)."""
        names = self.names
        if not self.columns:
            return
        if indices is None:
            sources = [self.columns[n] if n in self.columns else repeat(self.constants[n]) for n in names]
            yield from (dict(zip(names, values)) for values in zip(*sources))
            return
        for i in indices:
            yield {n: self.columns[n][i] if n in self.columns else self.constants[n] for n in names}
