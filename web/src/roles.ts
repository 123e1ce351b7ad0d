import { labelOr, type Translate } from './i18n';

export const roleLabel = (role: string, t: Translate): string => labelOr(t, `role.${role}`, role);
