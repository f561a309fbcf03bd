import { oneEditPattern, queryWords, typoTolerantCondition } from './typo-tolerance';

/** The ARE as a JavaScript RegExp (the patterns use only constructs both read alike). */
function matcher(word: string): RegExp {
  return new RegExp(oneEditPattern(word).replaceAll('[[:alnum:]]', '[\\p{L}\\p{N}]'), 'u');
}

describe('typo tolerance', () => {
  it('tolerates a typo in words of four letters or more; shorter ones must match as typed', () => {
    expect(queryWords('Helo, the WRLD helo — ça va? café')).toEqual({ tolerant: ['helo', 'wrld', 'café'], exact: ['the', 'ça', 'va'] });
    expect(queryWords('a to be')).toEqual({ tolerant: [], exact: ['a', 'to', 'be'] });
  });

  it.each([
    ['pyhton', 'python'], // transposition
    ['maraton', 'marathon'], // deletion
    ['hikking', 'hiking'], // insertion
    ['privacz', 'privacy'], // substitution
    ['gardn', 'gardens'], // deletion, then an ending
    ['café', 'cafés'],
  ])('%s finds %s', (typed, word) => {
    expect(matcher(typed).test(word)).toBe(true);
  });

  it.each([
    ['pyhton', 'typhoon'], // two edits
    ['helo', 'helmets'], // a prefix with a long ending
    ['wrld', 'w'], // too short
    ['coffee', 'xxcoffee'], // two letters too many at the start: the pattern is anchored
  ])('%s does not find %s', (typed, word) => {
    expect(matcher(typed).test(word)).toBe(false);
  });

  it('names each word and pattern as a parameter, never inside the SQL', () => {
    const condition = typoTolerantCondition('page.search', "helo'; drop table pages; -- wrld");
    expect(condition?.sql).not.toContain('helo');
    expect(condition?.parameters).toMatchObject({ typoWord0: 'helo', typoWord1: 'drop', typoWord2: 'table', typoWord3: 'pages', typoWord4: 'wrld' });
    expect(condition?.parameters).not.toHaveProperty('exactWord0');
    expect(typoTolerantCondition('page.search', 'a b')).toBeUndefined();
  });
});
