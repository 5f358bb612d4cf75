/**
 * @module workloads/busybox/sh/control
 *
 * The non-local exits of the interpreter, thrown and caught as values:
 * exit, break/continue, return, and a foreground job killed by a signal.
 */

/** `exit` (or a fatal error in a non-interactive shell). */
export class ShellExit {
  constructor(readonly status: number) {}
}
/** `break` / `continue`. */
export class LoopControl {
  constructor(
    readonly kind: 'break' | 'continue',
    public levels: number,
  ) {}
}
/** `return` from a function or a sourced file. */
export class FuncReturn {
  constructor(readonly status: number) {}
}
/** The foreground job was killed by a signal; unwinds the input line. */
export class Interrupted {
  constructor(readonly status: number) {}
}

