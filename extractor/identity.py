"""Identity of documents and records across runs.

``doc_id`` is the file stem, readable and unique within a run (or a merged
dataset): documents whose stems collide get a short content hash, and equal
copies of one file also a counter. ``record_id`` depends only on the
document's content and the record's position, so re-extracting the same file
gives the same ids wherever the file lies and whatever it is called.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

DOC_HASH_CHARS = 8
RECORD_HASH_CHARS = 16


def assign_doc_ids(documents: Sequence[tuple[str, str]]) -> list[str]:
    """A unique id for each ``(stem, sha256)``, in the given order (keep it sorted for stable ids)."""
    stems = Counter(stem for stem, _ in documents)
    wanted = [stem if stems[stem] == 1 else f"{stem}-{sha[:DOC_HASH_CHARS]}" for stem, sha in documents]
    taken = set(wanted)
    seen: Counter[str] = Counter()
    ids = []
    for doc_id in wanted:
        seen[doc_id] += 1
        if seen[doc_id] == 1:
            ids.append(doc_id)
            continue
        k = seen[doc_id]
        while f"{doc_id}-{k}" in taken:
            k += 1
        ids.append(f"{doc_id}-{k}")
        taken.add(ids[-1])
    return ids


def record_ids(doc_sha256: str, lines: Sequence[int]) -> list[str]:
    """Ids of a document's records given their source lines, in record order.

    ``<first 16 hex digits of the content hash>-<line>-<n>``, n counting the
    records that start on the same line (inline lists put several on one).
    """
    count: Counter[int] = Counter()
    ids = []
    for line in lines:
        count[line] += 1
        ids.append(f"{doc_sha256[:RECORD_HASH_CHARS]}-{line}-{count[line]}")
    return ids
