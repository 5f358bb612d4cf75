/**
 * @module ingress/prefix-trie
 * Longest string-prefix lookup, as nginx finds its longest matching prefix
 * location: a character trie (in the spirit of hono's trie router), so a lookup
 * walks the request path once instead of testing every location. The first
 * value inserted for a key wins. No I/O.
 */

interface TrieNode<V> {
  readonly children: Map<string, TrieNode<V>>;
  value?: V;
  has: boolean;
}

function node<V>(): TrieNode<V> {
  return { children: new Map(), has: false };
}

export class PrefixTrie<V> {
  readonly #root: TrieNode<V> = node<V>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Inserts `key`; returns false (and keeps the old value) when it is already present. */
  insert(key: string, value: V): boolean {
    let n = this.#root;
    for (let i = 0; i < key.length; i++) {
      const ch = key[i]!;
      let next = n.children.get(ch);
      if (next === undefined) {
        next = node<V>();
        n.children.set(ch, next);
      }
      n = next;
    }
    if (n.has) return false;
    n.has = true;
    n.value = value;
    this.#size++;
    return true;
  }

  /** The value of the longest inserted key that is a prefix of `s`. */
  longestPrefix(s: string): V | undefined {
    let n: TrieNode<V> | undefined = this.#root;
    let best: V | undefined = this.#root.has ? this.#root.value : undefined;
    for (let i = 0; i < s.length && n !== undefined; i++) {
      n = n.children.get(s[i]!);
      if (n !== undefined && n.has) best = n.value;
    }
    return best;
  }
}
