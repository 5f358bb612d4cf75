/**
 * @module policy/reachability
 * The expectation builder of the upstream e2e netpol suite (`reachability.go`):
 * start from "everyone reaches everyone" (or nobody), then state what a policy
 * changes: `expect(from, to)`, `expectAllIngress(pod)`, `expectAllEgress(pod)`,
 * `expectPeer({namespace?, pod?}, {namespace?, pod?})`, `allowLoopback()`.
 * Pods are "namespace/name" strings. Builds a TruthTable; no I/O.
 */

import type { TruthTable } from './truth-table.js';

/** Matches pods by namespace and/or name; an empty field matches anything. */
export interface PeerPattern {
  readonly namespace?: string;
  readonly pod?: string;
}

export class Reachability {
  private readonly pods: ReadonlyArray<string>;
  private readonly index: ReadonlyMap<string, number>;
  private readonly values: boolean[][];

  constructor(pods: ReadonlyArray<string>, defaultExpectation: boolean) {
    this.pods = [...pods];
    this.index = new Map(this.pods.map((p, i) => [p, i]));
    this.values = this.pods.map(() => this.pods.map(() => defaultExpectation));
  }

  private at(pod: string): number {
    const i = this.index.get(pod);
    if (i === undefined) throw new Error(`reachability: unknown pod ${pod}`);
    return i;
  }

  expect(from: string, to: string, connected: boolean): this {
    (this.values[this.at(from)] as boolean[])[this.at(to)] = connected;
    return this;
  }

  expectAllIngress(pod: string, connected: boolean): this {
    const j = this.at(pod);
    for (const row of this.values) row[j] = connected;
    return this;
  }

  expectAllEgress(pod: string, connected: boolean): this {
    const row = this.values[this.at(pod)] as boolean[];
    row.fill(connected);
    return this;
  }

  expectPeer(from: PeerPattern, to: PeerPattern, connected: boolean): this {
    const matches = (p: PeerPattern, pod: string): boolean => {
      const [ns, name] = pod.split('/');
      return (p.namespace === undefined || p.namespace === ns) && (p.pod === undefined || p.pod === name);
    };
    this.pods.forEach((f, i) => {
      if (!matches(from, f)) return;
      this.pods.forEach((t, j) => {
        if (matches(to, t)) (this.values[i] as boolean[])[j] = connected;
      });
    });
    return this;
  }

  /** Every pod reaches itself (Kubernetes: a pod cannot block access to itself). */
  allowLoopback(): this {
    this.pods.forEach((_, i) => ((this.values[i] as boolean[])[i] = true));
    return this;
  }

  table(): TruthTable {
    return { froms: [...this.pods], tos: [...this.pods], values: this.values.map((r) => [...r]) };
  }
}
