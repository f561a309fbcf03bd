/**
 * Typo tolerance for `q`: each word of four letters or more may be one edit away from a word
 * of the text (a letter missing, added or replaced, or two neighbours swapped: Damerau
 * distance 1), and may carry an ending of up to two letters (`gardn` finds "gardens").
 *
 * Trigram similarity cannot promise that: one typo in a short word changes most of its
 * trigrams (`pyhton` ~ `python` scores 0.29), and a pattern of all one-edit variants of a
 * short word has no trigram an index could look up. So the variants are looked up in the
 * vocabulary instead (`search_words`: every distinct word of the content, kept by triggers),
 * and the words found join the full-text query, which the `search` GIN indexes serve.
 */

/** Shorter words are matched only as the full-text search does: too many words are one edit away. */
export const MIN_TYPO_WORD_LENGTH = 4;
/** Longer words are left to the full-text search; keeps each pattern small. */
const MAX_TYPO_WORD_LENGTH = 30;
/** At most this many words of one query are corrected: bounds the SQL one query can produce. */
const MAX_TYPO_WORDS = 8;
/** A misspelt stem may still carry an ending (`gardns` for "gardens"): up to this many letters. */
const MAX_SUFFIX = 2;
const TEXT_SEARCH_CONFIG = 'english';

/**
 * The words of `q` (lower-cased, unique, letters and digits only, at most MAX_TYPO_WORDS):
 * `tolerant` ones may carry a typo, `exact` ones (too short or too long) must match as typed.
 */
export function queryWords(q: string): { tolerant: string[]; exact: string[] } {
  const words = [...new Set(q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, MAX_TYPO_WORDS);
  const tolerates = (word: string) => [...word].length >= MIN_TYPO_WORD_LENGTH && [...word].length <= MAX_TYPO_WORD_LENGTH;
  return { tolerant: words.filter(tolerates), exact: words.filter((word) => !tolerates(word)) };
}

/**
 * An anchored ARE (PostgreSQL's regex flavour) matching a whole vocabulary word that is `word`
 * or one edit away from it, followed by at most MAX_SUFFIX more letters. `word` must be letters
 * and digits only (a tolerant word of queryWords), so nothing in it needs escaping.
 */
export function oneEditPattern(word: string): string {
  const letters = [...word];
  const last = letters.length - 1;
  const any = '[[:alnum:]]';
  const suffix = `${any}{0,${MAX_SUFFIX}}`;
  const around = (index: number, middle: string[], skip: number) => [...letters.slice(0, index), ...middle, ...letters.slice(index + skip)].join('');
  const variants = new Set<string>();
  for (let index = 0; index <= last; index++) {
    // A replaced or missing letter. At the end this already reads as "a prefix and maybe one
    // more letter", so no further ending: `hel?` must not find "helmets".
    variants.add(around(index, [`${any}?`], 1) + (index === last ? '' : suffix));
    // One letter too many, before this one (after the last one is what the ending allows).
    variants.add(around(index, [any], 0) + suffix);
    if (index < last) variants.add(around(index, [letters[index + 1], letters[index]], 2) + suffix);
  }
  return `^(?:${[...variants].join('|')})$`;
}

/**
 * The SQL condition "every word of `q` matches `search`: a tolerant word as typed or as a
 * vocabulary word one edit away, an exact word as typed (or it is a stop word, which full-text
 * search ignores)", with its parameters; undefined when `q` has no tolerant word (then there is
 * nothing to add to the plain full-text search). Each vocabulary lookup is an uncorrelated
 * subquery (run once per query), so `search @@ …` stays a GIN index condition.
 */
export function typoTolerantCondition(searchColumn: string, q: string): { sql: string; parameters: Record<string, string> } | undefined {
  const { tolerant, exact } = queryWords(q);
  if (tolerant.length === 0) return undefined;
  const parameters: Record<string, string> = {};
  const asTyped = (name: string) => `${searchColumn} @@ plainto_tsquery('${TEXT_SEARCH_CONFIG}', :${name})`;
  const clauses = tolerant.map((word, index) => {
    parameters[`typoWord${index}`] = word;
    parameters[`typoPattern${index}`] = oneEditPattern(word);
    const corrected = `${searchColumn} @@ (SELECT to_tsquery('${TEXT_SEARCH_CONFIG}', string_agg(word, ' | ')) FROM search_words WHERE word ~ :typoPattern${index})`;
    return `(${asTyped(`typoWord${index}`)} OR ${corrected})`;
  });
  exact.forEach((word, index) => {
    parameters[`exactWord${index}`] = word;
    clauses.push(`(${asTyped(`exactWord${index}`)} OR numnode(plainto_tsquery('${TEXT_SEARCH_CONFIG}', :exactWord${index})) = 0)`);
  });
  return { sql: `(${clauses.join(' AND ')})`, parameters };
}
