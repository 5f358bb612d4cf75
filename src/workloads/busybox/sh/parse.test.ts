/**
 * @module workloads/busybox/sh/parse.test
 * Table tests for the ash parser: words, quoting, expansions, structure,
 * and the syntax errors (complete vs. incomplete input).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command, Script, Word } from './ast.js';
import { parseScript, ShellSyntaxError } from './parse.js';

/** A compact rendering of words for table rows. */
function showWord(w: Word): string {
  return w.parts
    .map((p) => {
      switch (p.kind) {
        case 'lit':
          return p.quoted ? `'${p.text}'` : p.text;
        case 'param':
          return `\${${p.name}${p.op ?? ''}${p.arg ? showWord(p.arg) : ''}${p.arg2 ? `/${showWord(p.arg2)}` : ''}}${p.quoted ? 'q' : ''}`;
        case 'cmdsub':
          return `$(${showScript(p.body)})${p.quoted ? 'q' : ''}`;
        case 'arith':
          return `$((${showWord(p.expr)}))`;
      }
    })
    .join('');
}

function showCommand(c: Command): string {
  switch (c.kind) {
    case 'simple': {
      const parts = [
        ...c.assigns.map((a) => `${a.name}=${showWord(a.value)}`),
        ...c.words.map(showWord),
        ...c.redirs.map((r) => `${r.fd}${r.op}${showWord(r.target)}${r.heredoc ? `[${showWord(r.heredoc)}]` : ''}`),
      ];
      return parts.join(' ');
    }
    case 'if':
      return `if(${c.clauses.map((cl) => `${showScript(cl.cond)}?${showScript(cl.body)}`).join('|')}${c.elseBody ? `:${showScript(c.elseBody)}` : ''})`;
    case 'for':
      return `for(${c.name} in ${c.items ? c.items.map(showWord).join(',') : '$@'}: ${showScript(c.body)})`;
    case 'while':
      return `${c.until ? 'until' : 'while'}(${showScript(c.cond)}: ${showScript(c.body)})`;
    case 'case':
      return `case(${showWord(c.word)}: ${c.items.map((i) => `${i.patterns.map(showWord).join('|')})${showScript(i.body)}`).join(';;')})`;
    case 'group':
      return `${c.subshell ? '(' : '{'}${showScript(c.body)}${c.subshell ? ')' : '}'}${c.redirs.map((r) => ` ${r.fd}${r.op}${showWord(r.target)}`).join('')}`;
    case 'func':
      return `fn ${c.name}=${showCommand(c.body)}`;
  }
}

function showScript(s: Script): string {
  return s.items
    .map((it) => {
      const a = it.andOr;
      const pl = (p: typeof a.first): string => `${p.negate ? '!' : ''}${p.commands.map(showCommand).join(' | ')}`;
      return `${pl(a.first)}${a.rest.map((r) => ` ${r.op} ${pl(r.pipeline)}`).join('')}${it.background ? ' &' : ''}`;
    })
    .join('; ');
}

test('parse table', () => {
  const rows: Array<[string, string]> = [
    ['echo hello world', 'echo hello world'],
    ["echo 'a  b' \"c $X\" d\\ e", "echo 'a  b' 'c '${X}q d'\\ 'e".replace("'\\ '", "' '")],
    ['X=1 Y=$Z cmd', 'X=1 Y=${Z} cmd'],
    ['echo ${X:-def} ${#X} ${X%.*} ${X/a/b}', 'echo ${X:-def} ${X len} ${X%.*} ${X/a/b}'.replace('${X len}', '${Xlen}')],
    ['echo $(echo hi) `date`', 'echo $(echo hi) $(date)'],
    ['echo "$(echo "nested $Y")"', `echo $(echo 'nested '\${Y}q)q`],
    ['echo $((1 + $i * 2))', 'echo $((1 + ${i} * 2))'],
    ['a && b || c; d &', 'a && b || c; d &'],
    ['! grep x f | wc -l', '!grep x f | wc -l'],
    ['cmd > out 2>&1 < in >> log', 'cmd 1>out 2>&1 0<in 1>>log'],
    ['if a; then b; elif c; then d; else e; fi', 'if(a?b|c?d:e)'],
    ['for x in 1 2 3; do echo $x; done', 'for(x in 1,2,3: echo ${x})'],
    ['for x; do echo $x; done', 'for(x in $@: echo ${x})'],
    ['while true; do sleep 1; done', 'while(true: sleep 1)'],
    ['until false\ndo :\ndone', 'until(false: :)'],
    ['case $x in a|b) echo ab;; *) echo other;; esac', 'case(${x}: a|b)echo ab;;*)echo other)'],
    ['{ echo a; echo b; } > f', '{echo a; echo b} 1>f'],
    ['(cd /tmp && ls)', '(cd /tmp && ls)'],
    ['f() { echo in f; }', 'fn f={echo in f}'],
    ['echo a # comment\necho b', 'echo a; echo b'],
    ['echo a \\\n b', 'echo a b'],
    ['cat <<EOF\nhi $X\nEOF\necho after', "cat 0<<EOF['hi '${X}q'\n']; echo after"],
    ["cat <<'EOF'\nhi $X\nEOF", "cat 0<<'EOF'['hi $X\n']"],
    ['echo }', 'echo }'],
    ['echo a=b', 'echo a=b'],
    ['echo ""', "echo ''"],
  ];
  for (const [src, want] of rows) {
    assert.equal(showScript(parseScript(src)), want, src);
  }
});

test('syntax errors: ash wording, incomplete when more input could fix them', () => {
  const rows: Array<[string, string, boolean]> = [
    ['if true', 'unexpected end of file (expecting "then")', true],
    ['if true; then echo', 'unexpected end of file (expecting "fi")', true],
    ['for i in 1 2; do echo $i', 'unexpected end of file (expecting "done")', true],
    ['echo "abc', 'unterminated quoted string', true],
    ["echo 'abc", 'unterminated quoted string', true],
    ['echo $(echo', 'unexpected end of file (expecting ")")', true],
    ['a &&', 'unexpected end of file', true],
    ['done', 'unexpected "done"', false],
    ['fi', 'unexpected "fi"', false],
    ['echo a;;', 'unexpected ";;"', false],
    ['if then fi', 'unexpected "then"', false],
    [')', 'unexpected ")"', false],
    ['echo ${', 'unexpected end of file (expecting "}")', true],
    ['echo ${x!}', 'bad substitution', false],
  ];
  for (const [src, msg, incomplete] of rows) {
    assert.throws(
      () => parseScript(src),
      (e: unknown) => e instanceof ShellSyntaxError && e.message === msg && e.incomplete === incomplete,
      src,
    );
  }
});
