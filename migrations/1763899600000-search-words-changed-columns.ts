import { MigrationInterface, QueryRunner } from 'typeorm';

/** Per table: each searchable column and the `simple` tsvector of its words (as SearchWords1763880000000 reads them). */
const SEARCHABLE: Record<string, Array<{ column: string; document: string }>> = {
  pages: [
    { column: 'title', document: `to_tsvector('simple', NEW.title)` },
    { column: 'body', document: `to_tsvector('simple', NEW.body)` },
  ],
  modules: [
    { column: 'title', document: `to_tsvector('simple', NEW.title)` },
    { column: 'content', document: `jsonb_to_tsvector('simple', NEW.content, '["string"]')` },
  ],
  media: [
    { column: 'filename', document: `to_tsvector('simple', NEW.filename)` },
    { column: 'alt_text', document: `to_tsvector('simple', NEW.alt_text)` },
  ],
};

/** Each table's whole searchable text, as SearchWords1763880000000 collects it (on INSERT, and in `down`). */
const WHOLE_ROW: Record<string, string> = {
  pages: `to_tsvector('simple', NEW.title || ' ' || NEW.body)`,
  modules: `to_tsvector('simple', NEW.title) || jsonb_to_tsvector('simple', NEW.content, '["string"]')`,
  media: `to_tsvector('simple', NEW.filename || ' ' || NEW.alt_text)`,
};

/**
 * The search vocabulary's triggers collect the words of the columns an UPDATE changed, not of
 * the whole row: a PATCH of a page's title looked up every word of its body again (about a
 * hundred index probes of search_words, a quarter of the UPDATE's time in PostgreSQL, measured
 * on 10,000 pages), though the body's words were collected when the body was written. The
 * words collected are the same: the vocabulary only grows, and an unchanged column's words were
 * added when it was last written. INSERT still collects every column.
 */
export class SearchWordsChangedColumns1763899600000 implements MigrationInterface {
  name = 'SearchWordsChangedColumns1763899600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, columns] of Object.entries(SEARCHABLE)) {
      const changed = columns
        .map(({ column, document }) => `IF OLD.${column} IS DISTINCT FROM NEW.${column} THEN PERFORM search_words_collect(${document}); END IF;`)
        .join('\n            ');
      await queryRunner.query(`
        CREATE OR REPLACE FUNCTION ${table}_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            PERFORM search_words_collect(${WHOLE_ROW[table]});
          ELSE
            ${changed}
          END IF;
          RETURN NULL;
        END
        $$`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, document] of Object.entries(WHOLE_ROW)) {
      await queryRunner.query(`
        CREATE OR REPLACE FUNCTION ${table}_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM search_words_collect(${document});
          RETURN NULL;
        END
        $$`);
    }
  }
}
