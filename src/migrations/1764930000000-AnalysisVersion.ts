import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which analysis wrote the chunks' forward index (chunk.terms, chunk.tfs, the field lengths): one row, compared at
 * start with the build's ANALYSIS_VERSION (services/text/analyzer.ts); when it is older, every chunk is analysed
 * again (services/retrieval/reanalysis.ts). It starts at 0, so databases indexed before the analyzer was versioned
 * are re-analysed once.
 */
export class AnalysisVersion1764930000000 implements MigrationInterface {
  name = 'AnalysisVersion1764930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE index_analysis (one boolean PRIMARY KEY DEFAULT true CHECK (one), version integer NOT NULL)`);
    await q.query(`INSERT INTO index_analysis (version) VALUES (0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE index_analysis`);
  }
}
