/**
 * Region codes (行政区划代码): 6 digits for province / city / county (410000, 410800, 410821), 9 for a township
 * (410821100), 12 for a village (410821100201). A region sees itself and every region under it.
 */
export const REGION_CODE_PATTERN = /^\d{6}(\d{3}(\d{3})?)?$/;

export function isRegionCode(value: unknown): value is string {
  return typeof value === 'string' && REGION_CODE_PATTERN.test(value);
}

/** The prefix every region under `code` starts with: 410000 → 41, 410800 → 4108, 410821 → 410821. */
export function regionPrefix(code: string): string {
  if (code.length !== 6) return code;
  if (code.endsWith('0000')) return code.slice(0, 2);
  if (code.endsWith('00')) return code.slice(0, 4);
  return code;
}

export function regionCovers(scope: string, code: string): boolean {
  return code.startsWith(regionPrefix(scope));
}
