/**
 * @module dataplane/delivery
 * The one place where virtual "packets" cross from a sender to a receiver.
 *
 * Writes never reach the receiver inside the writer's call stack: a receiver
 * with pending input is queued once, and every queued receiver is drained in a
 * single `setImmediate` per event-loop turn. So, as with real sockets, a
 * request/response ping-pong yields to I/O and timers on every hop (a tight
 * client loop cannot starve the API server), many small writes made in one turn
 * arrive together, and the cost is one immediate per turn, not per chunk.
 */

/** Something with input waiting to be handed over. */
export interface DeliveryTarget {
  /** Set while queued; owned by this module. */
  deliveryQueued: boolean;
  /** Hands pending input to the reader. Must not throw. */
  deliver(): void;
}

let queue: DeliveryTarget[] = [];
let spare: DeliveryTarget[] = [];
let scheduled = false;

function drain(): void {
  scheduled = false;
  const batch = queue;
  queue = spare;
  let i = 0;
  try {
    for (; i < batch.length; i++) {
      const t = batch[i] as DeliveryTarget;
      t.deliveryQueued = false;
      t.deliver();
    }
  } finally {
    // A reader's handler threw (an uncaught exception, as with a real socket):
    // the others in this batch still get their input on the next turn.
    for (let j = i + 1; j < batch.length; j++) {
      const t = batch[j] as DeliveryTarget;
      t.deliveryQueued = false;
      scheduleDelivery(t);
    }
    batch.length = 0;
    spare = batch;
  }
}

/** Queues `target` for delivery on the next drain (no-op when already queued). */
export function scheduleDelivery(target: DeliveryTarget): void {
  if (target.deliveryQueued) return;
  target.deliveryQueued = true;
  queue.push(target);
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
}
