import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { regionPrefix } from '../auth/region';
import { AuditEvent } from './audit-event.entity';
import type { AuditSort } from './audit.dto';
import type { SortOrder } from '../common/paging';

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
  actorId?: string;
  action?: string;
  /** Occurred in [from, to). */
  from?: Date;
  to?: Date;
}

export interface AuditPageQuery extends AuditQuery {
  sort: AuditSort;
  order: SortOrder;
  limit: number;
  offset: number;
}

const SORT_COLUMNS: Record<AuditSort, string> = { occurredAt: 'e.occurred_at', action: 'e.action', actorId: 'e.actor_id' };

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

  /** A page of the events in a region and every region under it, with how many match in all. */
  async page(query: AuditPageQuery): Promise<{ events: AuditEvent[]; total: number }> {
    const builder = this.matching(query);
    const total = await builder.getCount();
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const events = await builder.orderBy(SORT_COLUMNS[query.sort], direction).addOrderBy('e.id', direction).offset(query.offset).limit(query.limit).getMany();
    return { events, total };
  }

  /** Every event of one subject in a region, oldest first (one case's trail). */
  ofSubject(query: AuditQuery & { subjectType: string; subjectId: string }): Promise<AuditEvent[]> {
    return this.matching(query).orderBy('e.occurred_at', 'ASC').addOrderBy('e.id', 'ASC').getMany();
  }

  private matching(query: AuditQuery) {
    const builder = this.dataSource
      .getRepository(AuditEvent)
      .createQueryBuilder('e')
      .where('e.region_code LIKE :prefix', { prefix: `${regionPrefix(query.regionCode)}%` });
    if (query.subjectType) builder.andWhere('e.subject_type = :subjectType', { subjectType: query.subjectType });
    if (query.subjectId) builder.andWhere('e.subject_id = :subjectId', { subjectId: query.subjectId });
    if (query.actorId) builder.andWhere('e.actor_id = :actorId', { actorId: query.actorId });
    if (query.action) builder.andWhere('e.action = :action', { action: query.action });
    if (query.from) builder.andWhere('e.occurred_at >= :from', { from: query.from });
    if (query.to) builder.andWhere('e.occurred_at < :to', { to: query.to });
    return builder;
  }
}
