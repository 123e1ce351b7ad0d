import { useI18n, type MessageKey } from '../i18n';
import type { Urgency as U } from '../types';

export function Urgency({ urgency }: { urgency: U }) {
  const { t } = useI18n();
  if (!urgency) return null;
  return <span className={`mark mark-${urgency}`}>{t(`tasks.urgency.${urgency}` as MessageKey)}</span>;
}
