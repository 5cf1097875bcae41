"""Reading YAML written by users (KPI cards, mappings) safely: no tags that run code, no alias bombs.

``yaml.safe_load`` already refuses tags such as ``!!python/object``. It does not refuse a "billion laughs"
document: ``l0: &l0 lol``, ``l1: &l1 [*l0, *l0, ...]`` ... nine levels of nine aliases make a few hundred
bytes that expand to 387 million values, which a reader walking the document (to check it, or to print it
in an error) expands in full. :func:`compose` counts the nodes the document expands to, aliases included,
without expanding it, and refuses one larger than :data:`MAX_NODES` or one that refers to itself.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["MAX_NODES", "YamlTooLarge", "compose", "safe_load"]

#: The most nodes (scalars, lists, mappings; aliases counted as what they stand for) a document may expand
#: to: far above any card or mapping (a few hundred), far below what exhausts memory.
MAX_NODES = 100_000


class YamlTooLarge(ValueError):
    """A YAML document expands, through its aliases, to more than :data:`MAX_NODES` nodes, or refers to
    itself."""


def _expanded_size(root: yaml.Node) -> int:
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise YamlTooLarge("the document refers to itself through an alias")
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(item) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        open_nodes.discard(key)
        sizes[key] = min(total, MAX_NODES + 1)
        return sizes[key]

    return size(root)


def compose(text: str) -> yaml.Node | None:
    """The node graph of one YAML document (safe tags only), checked by :func:`_expanded_size`.

    Raises ``yaml.YAMLError`` when the text is not YAML, :class:`YamlTooLarge` for an alias bomb.

    >>> bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
    ...     f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\\n" for p, c in zip("abcde", "bcdef"))
    >>> compose(bomb)
    Traceback (most recent call last):
    ...
    kpi_toolkit.yamlfiles.YamlTooLarge: the document expands, through its aliases (*name), to more than ...
    """
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None and _expanded_size(root) > MAX_NODES:
        raise YamlTooLarge(
            f"the document expands, through its aliases (*name), to more than {MAX_NODES} values; a card "
            "or mapping needs a few hundred"
        )
    return root


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` of a document that :func:`compose` accepts.

    >>> safe_load("a: &x [1, 2]\\nb: *x\\n")
    {'a': [1, 2], 'b': [1, 2]}
    """
    root = compose(text)
    if root is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(root)
    finally:
        loader.dispose()
