export function CasePage(_: { caseId: string }) {
  return null;
}
