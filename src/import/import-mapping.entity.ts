import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** One source row an import brought in, and what it became here. */
@Entity('import_mappings')
export class ImportMappingEntity {
  /** Which product the row came from, e.g. `aoai` (Azure AI Proxy). */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  source!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  kind!: string;

  @PrimaryColumn({ name: 'source_id', type: 'varchar', length: 300 })
  sourceId!: string;

  @Column({ name: 'target_id', type: 'varchar', length: 300 })
  targetId!: string;

  @Column({ type: 'char', length: 64 })
  fingerprint!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
