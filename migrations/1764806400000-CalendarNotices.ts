import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14: holiday notices loaded at run time, and deadlines that say which calendar they stood on.
 * - `holiday_notice`: every load of a year's official notice, versioned; earlier versions are kept (the newest wins).
 * - `deadline.computation`: how the due instant was computed from `started_at` (working days, a day of a month…), so a
 *   deadline can be re-timed when a notice arrives; `calendar` / `calendar_years`: the calendar of every year the
 *   computation passed through; `due_history`: earlier due instants, with why they changed.
 */
export class CalendarNotices1764806400000 implements MigrationInterface {
  name = 'CalendarNotices1764806400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE holiday_notice (
        id         bigserial PRIMARY KEY,
        year       integer NOT NULL CHECK (year BETWEEN 2000 AND 2200),
        version    integer NOT NULL CHECK (version >= 1),
        title      text NOT NULL CHECK (btrim(title) <> ''),
        number     text,
        notice_date date NOT NULL,
        holidays   jsonb NOT NULL,
        workdays   jsonb NOT NULL,
        loaded_by  text NOT NULL,
        loaded_at  timestamptz NOT NULL,
        UNIQUE (year, version)
      )`);
    await q.query(`ALTER TABLE deadline ADD COLUMN computation jsonb`);
    await q.query(`ALTER TABLE deadline ADD COLUMN calendar text`);
    await q.query(`ALTER TABLE deadline ADD COLUMN calendar_years jsonb`);
    await q.query(`ALTER TABLE deadline ADD COLUMN due_history jsonb NOT NULL DEFAULT '[]'::jsonb`);
    // The outbox of re-timing: each engine timer to move, published after the commit (never inside it).
    await q.query(`
      CREATE TABLE deadline_timer_move (
        id           bigserial PRIMARY KEY,
        deadline_id  bigint NOT NULL REFERENCES deadline (id),
        subject_id   text NOT NULL,
        variable     text NOT NULL,
        due_at       timestamptz NOT NULL,
        created_at   timestamptz NOT NULL,
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX deadline_timer_move_pending_idx ON deadline_timer_move (id) WHERE published_at IS NULL`);
    // Re-timing looks for open deadlines that passed through a year under another calendar.
    await q.query(`CREATE INDEX deadline_open_calendar_idx ON deadline USING gin (calendar_years) WHERE met_at IS NULL AND breached_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX deadline_open_calendar_idx`);
    await q.query(`DROP TABLE deadline_timer_move`);
    for (const column of ['due_history', 'calendar_years', 'calendar', 'computation']) await q.query(`ALTER TABLE deadline DROP COLUMN ${column}`);
    await q.query(`DROP TABLE holiday_notice`);
  }
}
