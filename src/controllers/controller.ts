/**
 * @module controllers/controller
 * What every controller is: started against the registry, stopped cleanly.
 * Controllers learn of changes through the store's watch (the same one
 * `kubectl get -w` uses) and write through the registry, never the store.
 */
import type { Registry } from '../apiserver/registry.js';

export interface Controller {
  readonly name: string;
  start(registry: Registry): void;
  stop(): void;
}
