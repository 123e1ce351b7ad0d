import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { catalogues } from './catalogues';

export type Locale = 'zh' | 'en';
type Merge<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;
type ZhOf<C> = C extends { zh: infer Z } ? Z : never;
export type MessageKey = keyof Merge<ZhOf<(typeof catalogues)[keyof typeof catalogues]>> & string;

const messages: Record<Locale, Record<string, string>> = {
  zh: Object.assign({}, ...Object.values(catalogues).map((c) => c.zh)),
  en: Object.assign({}, ...Object.values(catalogues).map((c) => c.en)),
};

const STORAGE_KEY = 'doudi.locale';

export function storedLocale(): Locale {
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** The catalogue's text for a key built from data (a status, a type), else the raw value: one added later still shows. */
export function labelOr(t: Translate, key: string, raw: string): string {
  const text = t(key as MessageKey);
  return text === key ? raw : text;
}

export function translate(locale: Locale, key: MessageKey, values?: Record<string, string | number>): string {
  const text = messages[locale][key] ?? messages.zh[key] ?? key;
  return values ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`)) : text;
}

interface I18n {
  locale: Locale;
  setLocale(locale: Locale): void;
  t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setState] = useState<Locale>(storedLocale);
  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem(STORAGE_KEY, next);
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    setState(next);
  }, []);
  const value = useMemo<I18n>(() => ({ locale, setLocale, t: (key, values) => translate(locale, key, values) }), [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
