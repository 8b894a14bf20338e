// Internal: the visit marks shared by every graph walk (topo, backward).

let last = 0;

/**
 * A number no node carries yet: a walk stores it in `node._visit` to mean
 * "seen in this walk", so nothing needs clearing afterwards and no Set is
 * built.
 */
export function nextMark(): number {
  return ++last;
}
