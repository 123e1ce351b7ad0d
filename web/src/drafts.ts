/** A task form's unsent values, per task key, in localStorage: they survive a reload and go once the task is done. */
const key = (taskKey: string) => `doudi.draft.${taskKey}`;

export function loadDraft(taskKey: string): Record<string, unknown> | null {
  try {
    return JSON.parse(localStorage.getItem(key(taskKey)) ?? 'null') as Record<string, unknown> | null;
  } catch {
    return null;
  }
}

export const saveDraft = (taskKey: string, data: Record<string, unknown>) => localStorage.setItem(key(taskKey), JSON.stringify(data));
export const clearDraft = (taskKey: string) => localStorage.removeItem(key(taskKey));
