/**
 * @module workloads/busybox/sh/ast
 *
 * The syntax tree of the ash subset: words made of literal, quoted and
 * expansion parts; simple and compound commands; pipelines, and/or lists and
 * scripts. Data only; parse.ts builds it, exec.ts walks it.
 */

/** How ${NAME<op>ARG} transforms the value. */
export type ParamOp =
  | ':-' | '-' | ':=' | '=' | ':+' | '+' | ':?' | '?'
  | '#' | '##' | '%' | '%%'
  | '/' | '//' | '/#' | '/%'
  | ':' // ${x:offset[:length]}
  | 'len'; // ${#x}

export type WordPart =
  /** Literal text; `quoted` when it came from quotes or a backslash (no field splitting, no globbing). */
  | { readonly kind: 'lit'; readonly text: string; readonly quoted: boolean }
  /** $NAME, ${NAME}, ${NAME op arg}; `arg2` is the replacement of ${x/p/r} or the length of ${x:o:l}. */
  | {
      readonly kind: 'param';
      readonly name: string;
      readonly op?: ParamOp;
      readonly arg?: Word;
      readonly arg2?: Word;
      readonly quoted: boolean;
    }
  /** $(...) or `...`. */
  | { readonly kind: 'cmdsub'; readonly body: Script; readonly quoted: boolean }
  /** $((...)): the expression text is expanded, then evaluated. */
  | { readonly kind: 'arith'; readonly expr: Word; readonly quoted: boolean };

export interface Word {
  readonly parts: ReadonlyArray<WordPart>;
}

export type RedirOp = '>' | '>>' | '<' | '>&' | '<&' | '<>' | '>|' | '<<' | '<<-' | '&>';

export interface Redirect {
  /** The file descriptor redirected (default 1 for output ops, 0 for input). */
  readonly fd: number;
  readonly op: RedirOp;
  /** The file name, fd number or heredoc delimiter. */
  readonly target: Word;
  /** A here-document's body (set once the body has been read). */
  heredoc?: Word;
}

export interface Assign {
  readonly name: string;
  readonly value: Word;
}

export type Command =
  | {
      readonly kind: 'simple';
      readonly assigns: ReadonlyArray<Assign>;
      readonly words: ReadonlyArray<Word>;
      readonly redirs: ReadonlyArray<Redirect>;
      /** Source line of the command, for "line N:" messages. */
      readonly line: number;
    }
  | {
      readonly kind: 'if';
      readonly clauses: ReadonlyArray<{ readonly cond: Script; readonly body: Script }>;
      readonly elseBody?: Script;
      readonly redirs: ReadonlyArray<Redirect>;
    }
  | {
      readonly kind: 'for';
      readonly name: string;
      /** undefined: iterate "$@". */
      readonly items?: ReadonlyArray<Word>;
      readonly body: Script;
      readonly redirs: ReadonlyArray<Redirect>;
    }
  | { readonly kind: 'while'; readonly until: boolean; readonly cond: Script; readonly body: Script; readonly redirs: ReadonlyArray<Redirect> }
  | {
      readonly kind: 'case';
      readonly word: Word;
      readonly items: ReadonlyArray<{ readonly patterns: ReadonlyArray<Word>; readonly body: Script }>;
      readonly redirs: ReadonlyArray<Redirect>;
    }
  | { readonly kind: 'group'; readonly subshell: boolean; readonly body: Script; readonly redirs: ReadonlyArray<Redirect> }
  | { readonly kind: 'func'; readonly name: string; readonly body: Command };

export interface Pipeline {
  readonly negate: boolean;
  readonly commands: ReadonlyArray<Command>;
}

export interface AndOr {
  readonly first: Pipeline;
  readonly rest: ReadonlyArray<{ readonly op: '&&' | '||'; readonly pipeline: Pipeline }>;
}

export interface Script {
  readonly items: ReadonlyArray<{ readonly andOr: AndOr; readonly background: boolean }>;
}
