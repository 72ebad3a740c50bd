import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The product-definition context's own schema. */
export class ProductDefinition1732400000300 implements MigrationInterface {
  name = 'ProductDefinition1732400000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS product_definition`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA product_definition CASCADE`);
  }
}
