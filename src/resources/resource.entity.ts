import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ModelClass, UpstreamKind } from './resource.types';

@Entity('resources')
export class ResourceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'deployment_name', type: 'varchar', length: 128 })
  deploymentName!: string;

  @Column({ name: 'model_class', type: 'varchar', length: 48 })
  modelClass!: ModelClass;

  @Column({ type: 'varchar', length: 16 })
  upstream!: UpstreamKind;

  @Column({ name: 'endpoint_url', type: 'varchar', length: 2048 })
  endpointUrl!: string;

  /** AES-256-GCM ciphertext; decrypted only when calling the upstream. */
  @Column({ name: 'api_key_encrypted', type: 'text', nullable: true })
  apiKeyEncrypted!: string | null;

  @Column({ name: 'api_key_last4', type: 'varchar', length: 4, nullable: true })
  apiKeyLast4!: string | null;

  @Column({ name: 'api_version', type: 'varchar', length: 64, nullable: true })
  apiVersion!: string | null;

  @Column({ name: 'model_name', type: 'varchar', length: 128, nullable: true })
  modelName!: string | null;

  @Column({ type: 'integer', default: 0 })
  priority!: number;

  @Column({ type: 'integer', default: 1 })
  weight!: number;

  @Column({ name: 'tokens_per_minute', type: 'integer', nullable: true })
  tokensPerMinute!: number | null;

  @Column({ name: 'requests_per_minute', type: 'integer', nullable: true })
  requestsPerMinute!: number | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** The organiser who owns the resource; null: administrators only (created with ADMIN_TOKEN, or before owners existed). */
  @Column({ name: 'owner_id', type: 'uuid', nullable: true })
  ownerId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
