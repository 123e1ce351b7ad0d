import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { HolidayNotice, LoadedNotice } from '../policy/holiday-calendar';

export interface StoredNotice extends LoadedNotice {
  loadedBy: string;
  loadedAt: Date;
}

/** The one writer of `holiday_notice`: every load of a year's official notice, each a new version, none ever changed. */
@Injectable()
export class HolidayNoticeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async all(manager: EntityManager = this.dataSource.manager): Promise<StoredNotice[]> {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT year, version, title, number, to_char(notice_date, 'YYYY-MM-DD') AS date, holidays, workdays, loaded_by, loaded_at FROM holiday_notice ORDER BY year, version`,
    );
    return rows.map((r) => ({
      year: Number(r.year),
      version: Number(r.version),
      title: r.title as string,
      number: (r.number as string | null) ?? null,
      date: r.date as string,
      holidays: r.holidays as LoadedNotice['holidays'],
      workdays: r.workdays as LoadedNotice['workdays'],
      loadedBy: r.loaded_by as string,
      loadedAt: r.loaded_at as Date,
    }));
  }

  /** A change marker: moves with every load, so another process knows when to read the notices again. */
  async revision(): Promise<string> {
    const [row] = await this.dataSource.query(`SELECT coalesce(max(id), 0)::text AS revision FROM holiday_notice`);
    return row.revision as string;
  }

  /** Stores the notice as the year's next version (the year's rows locked, so two loads number apart). */
  async insert(notice: HolidayNotice, loadedBy: string, at: Date, manager: EntityManager): Promise<number> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('holiday_notice'), $1)`, [notice.year]);
    const [{ version }] = await manager.query(`SELECT coalesce(max(version), 0) + 1 AS version FROM holiday_notice WHERE year = $1`, [notice.year]);
    await manager.query(
      `INSERT INTO holiday_notice (year, version, title, number, notice_date, holidays, workdays, loaded_by, loaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [notice.year, version, notice.title, notice.number, notice.date, JSON.stringify(notice.holidays), JSON.stringify(notice.workdays), loadedBy, at],
    );
    return Number(version);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
