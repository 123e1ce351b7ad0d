import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Role } from '../auth/roles';
import { regionPrefix } from '../auth/region';
import { DomainError } from '../common/domain-error';
import { IdempotencyStore } from '../common/idempotency/idempotency.store';
import { type ReserveFundAlert, ReserveFundAlerts } from './reserve-fund-alerts';

export interface LedgerEntry {
  id: string;
  kind: 'advance' | 'debit' | 'replenishment';
  amountFen: number;
  balanceAfterFen: number;
  requestId: string | null;
  note: string;
  at: Date;
  actorId: string;
}

/**
 * Each township's reserve fund for rescue first (先行救助): the county advances money, each rescue-first payment is
 * a debit, the county replenishes what was spent. Every change locks the fund row, writes the new balance and a
 * ledger line with the balance after it; the balance's CHECK (≥ 0) holds even if a caller forgot the lock. Every
 * change then raises or closes the fund's low-balance alert in the same transaction (reserve-fund-alerts.ts).
 */
@Injectable()
export class ReserveFundService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyStore,
    private readonly alerts: ReserveFundAlerts,
  ) {}

  /** Money from the county into the fund: an advance (to open or top up) or a replenishment of what was paid out. */
  async credit(
    entry: { townshipCode: string; kind: 'advance' | 'replenishment'; amountFen: number; note: string; actorId: string; actorRoles: Role[]; at: Date; idempotencyKey?: string },
  ): Promise<LedgerEntry> {
    return this.dataSource.transaction(async (manager) => {
      // The key and its answer commit with the ledger line; a key this caller used before answers its line again.
      await this.idempotency.claim(manager);
      if (entry.idempotencyKey) {
        const [earlier]: Record<string, unknown>[] = await manager.query(`SELECT * FROM reserve_fund_entry WHERE actor_id = $1 AND idempotency_key = $2`, [entry.actorId, entry.idempotencyKey]);
        if (earlier) {
          this.idempotency.replayed();
          await this.idempotency.answer(manager, toEntry(earlier));
          return toEntry(earlier);
        }
      }
      await manager.query(`INSERT INTO reserve_fund (township_code, county_code) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [entry.townshipCode, entry.townshipCode.slice(0, 6)]);
      const balance = await this.lockedBalance(entry.townshipCode, manager);
      const written = await this.write(manager, { ...entry, requestId: null, balanceAfterFen: balance + entry.amountFen });
      await this.audit.record(
        { actor: { id: entry.actorId, roles: entry.actorRoles }, regionCode: entry.townshipCode, action: `reserve-fund.${entry.kind}`, subjectType: 'reserve-fund', subjectId: entry.townshipCode, details: { amountFen: entry.amountFen, balanceAfterFen: written.balanceAfterFen } },
        manager,
      );
      await this.idempotency.answer(manager, written);
      return written;
    });
  }

  /**
   * A rescue-first payment out of the fund, in the caller's transaction. Returns false, changing nothing, when the
   * fund does not exist or cannot cover it (the county then pays directly). Once per request.
   */
  async debit(townshipCode: string, requestId: string, amountFen: number, actorId: string, at: Date, manager: EntityManager): Promise<boolean> {
    const done: unknown[] = await manager.query(`SELECT 1 FROM reserve_fund_entry WHERE request_id = $1 AND kind = 'debit'`, [requestId]);
    if (done.length) return true;
    const rows: { balance_fen: string }[] = await manager.query(`SELECT balance_fen FROM reserve_fund WHERE township_code = $1 FOR UPDATE`, [townshipCode]);
    const balance = rows[0] ? Number(rows[0].balance_fen) : -1;
    if (balance < amountFen) return false;
    await this.write(manager, { townshipCode, kind: 'debit', amountFen, note: '先行救助 rescue first', actorId, at, requestId, balanceAfterFen: balance - amountFen });
    return true;
  }

  async funds(region: string): Promise<{ townshipCode: string; countyCode: string; balanceFen: number }[]> {
    const rows: Record<string, string>[] = await this.dataSource.query(`SELECT * FROM reserve_fund WHERE township_code LIKE $1 || '%' ORDER BY township_code`, [regionPrefix(region)]);
    return rows.map((r) => ({ townshipCode: r.township_code!, countyCode: r.county_code!, balanceFen: Number(r.balance_fen) }));
  }

  /** The fund's balance, its ledger and its low-balance alerts, newest first. */
  async ledger(townshipCode: string, limit = 500): Promise<{ townshipCode: string; balanceFen: number; entries: LedgerEntry[]; alerts: ReserveFundAlert[] }> {
    const [fund]: { balance_fen: string }[] = await this.dataSource.query(`SELECT balance_fen FROM reserve_fund WHERE township_code = $1`, [townshipCode]);
    if (!fund) throw new DomainError('fund-not-found', `township ${townshipCode} has no reserve fund yet: the county opens it with an advance`, 404);
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT * FROM reserve_fund_entry WHERE township_code = $1 ORDER BY id DESC LIMIT $2`, [townshipCode, limit]);
    return { townshipCode, balanceFen: Number(fund.balance_fen), entries: rows.map(toEntry), alerts: await this.alerts.forFund(townshipCode) };
  }

  private async lockedBalance(townshipCode: string, manager: EntityManager): Promise<number> {
    const [row]: { balance_fen: string }[] = await manager.query(`SELECT balance_fen FROM reserve_fund WHERE township_code = $1 FOR UPDATE`, [townshipCode]);
    return Number(row!.balance_fen);
  }

  private async write(
    manager: EntityManager,
    e: { townshipCode: string; kind: LedgerEntry['kind']; amountFen: number; note: string; actorId: string; actorRoles?: Role[]; at: Date; requestId: string | null; balanceAfterFen: number; idempotencyKey?: string },
  ): Promise<LedgerEntry> {
    await manager.query(`UPDATE reserve_fund SET balance_fen = $2 WHERE township_code = $1`, [e.townshipCode, e.balanceAfterFen]);
    const [row]: Record<string, unknown>[] = await manager.query(
      `INSERT INTO reserve_fund_entry (township_code, kind, amount_fen, balance_after_fen, request_id, note, at, actor_id, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [e.townshipCode, e.kind, e.amountFen, e.balanceAfterFen, e.requestId, e.note, e.at, e.actorId, e.idempotencyKey ?? null],
    );
    const entry = toEntry(row!);
    await this.alerts.afterChange({ townshipCode: e.townshipCode, balanceAfterFen: e.balanceAfterFen, entryId: entry.id, at: e.at, actor: { id: e.actorId, ...(e.actorRoles ? { roles: e.actorRoles } : {}) } }, manager);
    return entry;
  }
}

function toEntry(r: Record<string, unknown>): LedgerEntry {
  return {
    id: String(r.id),
    kind: r.kind as LedgerEntry['kind'],
    amountFen: Number(r.amount_fen),
    balanceAfterFen: Number(r.balance_after_fen),
    requestId: (r.request_id as string | null) ?? null,
    note: r.note as string,
    at: r.at as Date,
    actorId: r.actor_id as string,
  };
}
