import type { Locale } from './i18n';

/** Every instant is shown in China's time zone, whatever the browser's. */
export const TIME_ZONE = 'Asia/Shanghai';

const tag = (locale: Locale) => (locale === 'zh' ? 'zh-CN' : 'en-GB');

export function formatInstant(iso: string | Date | null | undefined, locale: Locale): string {
  if (!iso) return '—';
  const date = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(tag(locale), { timeZone: TIME_ZONE, year: 'numeric', month: locale === 'zh' ? 'long' : 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).format(date);
}

export function formatDate(iso: string | Date | null | undefined, locale: Locale): string {
  if (!iso) return '—';
  const date = iso instanceof Date ? iso : new Date(/^\d{4}-\d{2}-\d{2}$/.test(String(iso)) ? `${String(iso)}T12:00:00+08:00` : iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(tag(locale), { timeZone: TIME_ZONE, year: 'numeric', month: locale === 'zh' ? 'long' : 'short', day: 'numeric' }).format(date);
}

/** Integer fen as yuan, without floating point: 123450 → "1,234.50元" (zh) / "¥1,234.50" (en). */
export function formatFen(fen: number | null | undefined, locale: Locale): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return '—';
  const negative = fen < 0;
  const abs = Math.abs(Math.trunc(fen));
  const yuan = new Intl.NumberFormat('en-US').format(Math.floor(abs / 100));
  const text = `${yuan}.${String(abs % 100).padStart(2, '0')}`;
  const sign = negative ? '-' : '';
  return locale === 'zh' ? `${sign}${text}元` : `${sign}¥${text}`;
}

/** "1234.5" yuan → 123450 fen; null when not an amount with at most two decimals. */
export function yuanToFen(input: string): number | null {
  const match = /^\s*(\d{1,12})(?:\.(\d{1,2}))?\s*$/.exec(input);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** Names in the models are bilingual, Chinese first ("受理 Accept application"): the half of the reader's language. */
export function bilingual(text: string | null | undefined, locale: Locale): string {
  if (!text) return '';
  const match = /^(.*?[^\x00-\x7f][^A-Za-z]*?)\s+([A-Za-z].*)$/.exec(text.trim());
  if (!match) return text;
  return locale === 'zh' ? match[1]!.trim() : match[2]!.trim();
}
