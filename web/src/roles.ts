import type { MessageKey, Translate } from './i18n';

export const roleLabel = (role: string, t: Translate): string => {
  const key = `role.${role}` as MessageKey;
  const text = t(key);
  return text === key ? role : text;
};
