import { quote } from 'zx/core';
import { describe, expect, it } from 'vitest';
import { buildCommand } from './command.js';

const cmd = (pieces: TemplateStringsArray, ...args: unknown[]) => buildCommand(quote, pieces, args);

describe('b.$ command line', () => {
  it("quotes each value as zx does: plain words bare, the rest in bash's $'…'", async () => {
    expect(await cmd`echo ${'plain'} ${'two words'} ${"it's"} ${'say "hi"'}`).toBe(`echo plain $'two words' $'it\\'s' $'say "hi"'`);
    expect(await cmd`printf %s ${''} ${'a\nb'} ${'$HOME; rm -rf /'}`).toBe(`printf %s $'' $'a\\nb' $'$HOME; rm -rf /'`);
  });

  it('spreads an array as quoted words, takes numbers, awaits promises', async () => {
    expect(await cmd`ls ${['a b', 'c']} -n ${3}`).toBe(`ls $'a b' c -n 3`);
    expect(await cmd`echo ${Promise.resolve('x y')}`).toBe(`echo $'x y'`);
  });

  it("interpolates an earlier command's output as its stdout without the last newline", async () => {
    expect(await cmd`cat ${{ stdout: 'my file\n', stderr: 'noise' }}`).toBe(`cat $'my file'`);
  });
});
