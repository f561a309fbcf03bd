import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The vocabulary typo-tolerant search corrects query words against (libs/content/src/shared/
 * typo-tolerance.ts): every distinct word (3 to 40 letters or digits, lower case) of the
 * searchable text of pages, modules and media. Triggers add the words of each inserted or
 * changed row in the writing transaction; words are never removed (a word no longer in any
 * item only widens a full-text query by a term that matches nothing). The table has no unique
 * constraint on purpose: a row adds only the words not there yet, and two transactions adding
 * the same new word both insert it rather than one waiting for the other (a unique index makes
 * concurrent writes of new words queue behind each other, and two batches adding overlapping
 * words in opposite orders deadlock). A duplicate is harmless: lookups OR the words together.
 */
export class SearchWords1763880000000 implements MigrationInterface {
  name = 'SearchWords1763880000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE search_words (word text NOT NULL)`);
    await queryRunner.query(`CREATE INDEX search_words_word_idx ON search_words (word)`);
    await queryRunner.query(`
      CREATE FUNCTION search_words_collect(document tsvector) RETURNS void LANGUAGE sql AS $$
        INSERT INTO search_words (word)
        SELECT lexeme FROM unnest(tsvector_to_array(document)) AS lexeme
        WHERE lexeme ~ '^[[:alnum:]]{3,40}$' AND NOT EXISTS (SELECT 1 FROM search_words known WHERE known.word = lexeme)
      $$`);
    const documents: Record<string, { columns: string[]; document: string }> = {
      pages: { columns: ['title', 'body'], document: `to_tsvector('simple', NEW.title || ' ' || NEW.body)` },
      modules: { columns: ['title', 'content'], document: `to_tsvector('simple', NEW.title) || jsonb_to_tsvector('simple', NEW.content, '["string"]')` },
      media: { columns: ['filename', 'alt_text'], document: `to_tsvector('simple', NEW.filename || ' ' || NEW.alt_text)` },
    };
    for (const [table, { columns, document }] of Object.entries(documents)) {
      await queryRunner.query(`
        CREATE FUNCTION ${table}_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM search_words_collect(${document});
          RETURN NULL;
        END
        $$`);
      const changed = columns.map((column) => `OLD.${column} IS DISTINCT FROM NEW.${column}`).join(' OR ');
      await queryRunner.query(`CREATE TRIGGER ${table}_search_words_insert AFTER INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_search_words()`);
      await queryRunner.query(
        `CREATE TRIGGER ${table}_search_words_update AFTER UPDATE ON ${table} FOR EACH ROW WHEN (${changed}) EXECUTE FUNCTION ${table}_search_words()`,
      );
      await queryRunner.query(`SELECT search_words_collect(${document.replaceAll('NEW.', '')}) FROM ${table}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['pages', 'modules', 'media']) {
      await queryRunner.query(`DROP TRIGGER ${table}_search_words_update ON ${table}`);
      await queryRunner.query(`DROP TRIGGER ${table}_search_words_insert ON ${table}`);
      await queryRunner.query(`DROP FUNCTION ${table}_search_words()`);
    }
    await queryRunner.query(`DROP FUNCTION search_words_collect(tsvector)`);
    await queryRunner.query(`DROP TABLE search_words`);
  }
}
