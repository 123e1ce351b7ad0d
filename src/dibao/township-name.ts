/**
 * The one place a notice looks up a township's name. Until the region registry (issue 18, src/regions) lands it
 * knows no names and falls back to the code; replace the body with the registry's lookup then, keeping the fallback
 * for a code the registry does not have.
 */
export function townshipNameOf(townshipCode: string, known?: string | null): string {
  return known?.trim() || `${townshipCode}乡镇（街道）`;
}
