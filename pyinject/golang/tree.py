"""Setting a value deep inside JSON-like data (maps and lists as encoding/json decodes them)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: A path into the data: string keys step into maps, int indexes into lists.
TreePath = tuple[str | int, ...]


class PathError(ValueError):
    """The path crosses data of the wrong shape; ``depth`` is the index of the step that failed."""

    def __init__(self, depth: int, problem: str) -> None:
        super().__init__(problem)
        self.depth = depth
        self.problem = problem


def set_path(tree: dict[str, Any], path: TreePath, value: Any) -> None:
    """Set ``tree[path] = value``, creating maps and lists on the way and growing lists as needed.

    A step that finds something other than a map or list there replaces it;
    a step that finds a map where it needs a list (or the reverse) raises PathError.
    """
    node: Any = tree
    for depth, part in enumerate(path[:-1]):
        nxt = path[depth + 1]
        if isinstance(part, int):
            if not isinstance(node, list):
                raise PathError(depth, f"cannot index a mapping with [{part}]")
            while len(node) <= part:
                node.append({} if not isinstance(nxt, int) else [])
            child = node[part]
        else:
            if not isinstance(node, dict):
                raise PathError(depth, "cannot set a key inside a list")
            child = node.get(part)
            if not isinstance(child, (dict, list)):
                child = [] if isinstance(nxt, int) else {}
                node[part] = child
        node = child
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(node, list):
            raise PathError(len(path) - 1, f"cannot index a mapping with [{last}]")
        while len(node) <= last:
            node.append(None)
        node[last] = value
    else:
        if not isinstance(node, dict):
            raise PathError(len(path) - 1, "cannot set a key inside a list")
        node[last] = value
