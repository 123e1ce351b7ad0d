import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { regionPrefix } from '../auth/region';
import { AuditEvent } from './audit-event.entity';

export interface AuditEntry {
  actor: { id: string; roles?: string[] };
  regionCode: string;
  /** What happened, e.g. `dibao.application.accepted`, `task.completed`. */
  action: string;
  subjectType: string;
  subjectId: string;
  details?: Record<string, unknown>;
  requestId?: string;
}

export interface AuditQuery {
  regionCode: string;
  subjectType?: string;
  subjectId?: string;
  limit: number;
}

/** The one way to write the audit trail. Pass the caller's EntityManager so the entry commits with the change it records. */
@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async record(entry: AuditEntry, manager: EntityManager = this.dataSource.manager): Promise<AuditEvent> {
    const event = manager.create(AuditEvent, {
      occurredAt: this.clock.now(),
      actorId: entry.actor.id,
      actorRoles: entry.actor.roles ?? [],
      regionCode: entry.regionCode,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      details: entry.details ?? {},
      requestId: entry.requestId ?? null,
    });
    return manager.save(AuditEvent, event);
  }

  /** These events (by id), oldest first. */
  async byIds(ids: string[]): Promise<AuditEvent[]> {
    if (ids.length === 0) return [];
    return this.dataSource.getRepository(AuditEvent).createQueryBuilder('e').where('e.id IN (:...ids)', { ids }).orderBy('e.occurred_at', 'ASC').addOrderBy('e.id', 'ASC').getMany();
  }

  /** Events in a region and every region under it, newest first. */
  find(query: AuditQuery): Promise<AuditEvent[]> {
    const builder = this.dataSource
      .getRepository(AuditEvent)
      .createQueryBuilder('e')
      .where('e.region_code LIKE :prefix', { prefix: `${regionPrefix(query.regionCode)}%` })
      .orderBy('e.occurred_at', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .limit(query.limit);
    if (query.subjectType) builder.andWhere('e.subject_type = :subjectType', { subjectType: query.subjectType });
    if (query.subjectId) builder.andWhere('e.subject_id = :subjectId', { subjectId: query.subjectId });
    return builder.getMany();
  }
}
